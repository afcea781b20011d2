import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { renderForWrite } from '../render/pipeline';
import { outputControlFiles } from '../render/synthesize';
import { listFiles, outputStateProblems } from '../render/write';

/**
 * `npm run check`: is the committed output whole and current? Reports an interrupted write (its journal or
 * leftovers) and every file of `dist/` and `argocd/` that differs from a fresh render (a mixed state of old
 * and new, a hand edit, a missing `npm run synth`). Writes nothing; exits 1 when anything is wrong.
 */
function main(): number {
  const outDir = resolve('dist');
  const argocdDir = resolve('argocd');
  const problems = outputStateProblems(outputControlFiles(outDir).journal, [outDir, argocdDir]);
  let summary;
  try {
    summary = renderForWrite();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`check: the input does not render:\n${e.message}`);
    return 1;
  }
  for (const [root, label, trees] of [[outDir, 'dist', summary.dist], [argocdDir, 'argocd', summary.argocd]] as const) {
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
      if (summary.environments.includes(file.split('/')[0])) problems.push(`${label}/${file} is not rendered any more`);
    }
  }
  if (problems.length > 0) {
    console.error(`check: dist/ and argocd/ are not a whole, current render (run npm run synth):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  console.log(`check: dist/ and argocd/ are a whole, current render of ${summary.environments.join(', ')}`);
  return 0;
}

process.exitCode = main();
