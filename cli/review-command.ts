import { join, resolve } from 'node:path';
import { PLATFORMS } from '../charts';
import { ConfigError } from '../lib/errors';
import { renderReview } from '../lib/review/review-environment';
import { toYaml } from '../lib/render/serialize';
import { replaceFolders } from '../lib/render/write';
import { parseCommand, UsageError, usage } from './args';

/**
 * `npm run review -- render --pr <n> --out <dir>` as a function (cli/review.ts runs it): renders the review environment of pull request n into
 * `<dir>/dist/review-<n>/`, which the pull-request workflow pushes to the branch the ApplicationSet syncs. Never
 * into this repository's dist/: a review environment does not land on main.
 */
const spec = {
  usage: 'npm run review -- render --pr <number> --out <dir>',
  description:
    'Renders review-<number> (the platforms the review host environment lists, from the checked-out releases) and\n' +
    'runs the policy gate on it; writes <dir>/dist/review-<number>/ only when all of it passed.',
  positionals: 'render',
  options: {
    pr: { type: 'string', value: '<number>', help: 'the pull request number' },
    out: { type: 'string', value: '<dir>', help: 'folder to write dist/review-<number>/ into, outside the repository\'s dist/' },
  },
} as const;

export interface ReviewCommandOptions {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

/**
 * Runs `npm run review` in the working directory (the repository root).
 * @returns the exit code: 0 rendered, 1 refused (nothing written), 2 a usage mistake
 */
export function runReview(argv: readonly string[], options: ReviewCommandOptions = {}): number {
  const out = options.stdout ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = options.stderr ?? ((t: string) => process.stderr.write(`${t}\n`));
  const parsed = parseCommand(spec, argv);
  if ('exitCode' in parsed) {
    if (parsed.stdout) out(parsed.stdout.replace(/\n$/, ''));
    if (parsed.stderr) err(parsed.stderr.replace(/\n$/, ''));
    return parsed.exitCode;
  }
  const { values, positionals } = parsed;
  try {
    if (positionals.length !== 1 || positionals[0] !== 'render') throw new UsageError(`expected the command 'render', got '${positionals.join(' ')}'`);
    if (typeof values.pr !== 'string') throw new UsageError('--pr is required');
    if (typeof values.out !== 'string') throw new UsageError('--out is required');
    if (!/^\d+$/.test(values.pr)) throw new ConfigError(`--pr '${values.pr}': must be a pull request number (an integer ≥ 1)`);
    const target = resolve(values.out);
    if (target === resolve('.') || target === resolve('dist') || target.startsWith(`${resolve('dist')}/`)) {
      throw new ConfigError(`--out ${values.out}: a review environment never lands in this repository's dist/; pass a folder outside it`);
    }
    const review = renderReview(Number(values.pr), PLATFORMS);
    const files = new Map(review.files.map((f) => [f.path.slice(review.name.length + 1), toYaml(f.objects)]));
    replaceFolders([{ root: join(target, 'dist'), folder: review.name, files }], { journal: join(target, '.review-journal.json') });
    out(`rendered ${review.name}: ${files.size} files, ${review.files.reduce((n, f) => n + f.objects.length, 0)} objects into ${join(values.out, 'dist', review.name)}`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`review: ${e.message}\n\n${usage(spec)}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      err(`review failed, nothing written:\n${e.message}`);
      return 1;
    }
    throw e;
  }
}

