import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderSummary } from './pipeline';
import { listFiles, outputStateProblems } from './write';

/**
 * What is wrong with the output on disk compared with a fresh render: an interrupted write (its journal,
 * leftovers), and every file of `dist/` or `argocd/` that is missing, differs or is no longer rendered — a
 * mixed state of two renders shows up here. Empty when the output is whole and current.
 */
export function outputProblems(fresh: RenderSummary, folders: { readonly outDir: string; readonly argocdDir: string; readonly journal: string }): string[] {
  const problems = outputStateProblems(folders.journal, [folders.outDir, folders.argocdDir]);
  for (const [root, label, trees] of [[folders.outDir, 'dist', fresh.dist], [folders.argocdDir, 'argocd', fresh.argocd]] as const) {
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
      if (fresh.environments.includes(file.split('/')[0])) problems.push(`${label}/${file} is not rendered any more`);
    }
  }
  return problems;
}
