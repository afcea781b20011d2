import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderSummary } from './pipeline';
import { listFiles, outputStateProblems } from './write';

/**
 * What is wrong with the output on disk compared with a fresh render: an interrupted write (its journal,
 * leftovers), and every file of `dist/`, `argocd/` or `docs/platforms/` that is missing, differs or is no longer rendered — a
 * mixed state of two renders shows up here. Empty when the output is whole and current.
 */
export function outputProblems(
  fresh: RenderSummary,
  folders: { readonly outDir: string; readonly argocdDir: string; readonly journal: string; readonly docsDir?: string },
): string[] {
  const problems = outputStateProblems(folders.journal, [folders.outDir, folders.argocdDir, ...(folders.docsDir ? [folders.docsDir] : [])]);
  // docs/platforms/ (the diagrams) is compared only where the fresh render has it: a render of every environment.
  const docs = folders.docsDir && fresh.docs ? [[folders.docsDir, 'docs', fresh.docs] as const] : [];
  for (const [root, label, trees] of [[folders.outDir, 'dist', fresh.dist], [folders.argocdDir, 'argocd', fresh.argocd], ...docs] as const) {
    const committed = new Set(listFiles(root));
    for (const [env, files] of trees) {
      for (const [path, yaml] of files) {
        const file = `${env}/${path}`;
        let current: string | undefined;
        try {
          current = readFileSync(join(root, file), 'utf8');
        } catch {
          current = undefined;
        }
        if (current === undefined) problems.push(`${label}/${file} is missing`);
        else if (current !== yaml) problems.push(`${label}/${file} differs from a fresh render`);
        committed.delete(file);
      }
    }
    for (const file of committed) {
      if (trees.has(file.split('/')[0])) problems.push(`${label}/${file} is not rendered any more`);
    }
  }
  return problems;
}
