import { resolve } from 'node:path';
import { PLATFORMS } from '../charts';
import { ConfigError } from '../lib/errors';
import { outputProblems } from '../lib/render/check';
import { renderForWrite } from '../lib/render/pipeline';
import { outputControlFiles } from '../lib/render/synthesize';
import { parseCommandLine } from './args';

const spec = {
  usage: 'npm run check',
  description:
    'Is the committed output whole and current? Reports an interrupted write and every file of dist/ and argocd/\n' +
    'that differs from a fresh render. Writes nothing; exits 1 when anything is wrong.',
  options: {},
} as const;

/**
 * `npm run check`: is the output on disk whole and current? Reports an interrupted write (its journal or
 * leftovers) and every file of `dist/` and `argocd/` that differs from a fresh render (a mixed state of old
 * and new, a hand edit, a forgotten `npm run synth`). Writes nothing; exits 1 when anything is wrong.
 */
function main(): number {
  parseCommandLine(spec);
  const outDir = resolve('dist');
  let summary;
  try {
    summary = renderForWrite({ platforms: PLATFORMS });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`check: the input does not render:\n${e.message}`);
    return 1;
  }
  const problems = outputProblems(summary, { outDir, argocdDir: resolve('argocd'), docsDir: resolve('docs'), journal: outputControlFiles(outDir).journal });
  if (problems.length > 0) {
    console.error(`check: dist/, argocd/ and docs/platforms/ are not a whole, current render (run npm run synth):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  console.log(`check: dist/, argocd/ and docs/platforms/ are a whole, current render of ${summary.environments.join(', ')}`);
  return 0;
}

process.exitCode = main();
