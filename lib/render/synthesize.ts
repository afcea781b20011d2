import { dirname, join, resolve } from 'node:path';
import { RenderCache } from '../addons/render-cache';
import { ConfigError } from '../errors';
import { formatViolations } from '../policy/gate';
import { withLock } from './lock';
import { RenderOptions, RenderSummary, renderForWrite } from './pipeline';
import { FileSystem, OutputFolder, recoverInterruptedSwap, replaceFolders } from './write';

export interface SynthesizeOptions extends RenderOptions {
  /** Root of the rendered manifests, `dist/`. */
  readonly outDir: string;
  /** Root of the rendered Argo CD objects, `argocd/`. */
  readonly argocdDir: string;
  /** Root of the documentation, `docs/`, whose `platforms/` folder holds the diagrams. @default diagrams are not written */
  readonly docsDir?: string;
  /** Lock file that serialises writers. @default `.synth.lock` beside `outDir` */
  readonly lockFile?: string;
  /** Journal of the swap. @default `.synth-journal.json` beside `outDir` */
  readonly journal?: string;
  /** How long to wait for another run's lock. @default 120 s */
  readonly lockTimeoutMs?: number;
  /** Told when another run holds the lock and this one waits. */
  readonly onLockWait?: (holder: string) => void;
  /** Told what an interrupted earlier run left and how it was repaired. */
  readonly onRepair?: (what: string) => void;
  /** For fault tests. */
  readonly fs?: FileSystem;
  readonly beforeRename?: (step: number) => void;
}

export interface SynthesizeResult {
  readonly summary: RenderSummary;
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
  readonly warnings: readonly string[];
}

/** Where the lock and the journal of a render into `outDir` live: beside it, in the repository root. */
export function outputControlFiles(outDir: string): { lockFile: string; journal: string } {
  return { lockFile: join(dirname(outDir), '.synth.lock'), journal: join(dirname(outDir), '.synth-journal.json') };
}

/**
 * Renders and checks everything in memory, then, holding the lock, repairs what an interrupted run left and
 * swaps in every changed folder of `dist/` and `argocd/` at once; the whole of `npm run synth` but the
 * printing. Bad input and policy violations throw a ConfigError before anything is written; a failure while
 * writing leaves the output entirely as it was.
 */
export function synthesize(options: SynthesizeOptions): SynthesizeResult {
  const summary = renderForWrite(options);
  if (summary.policy.violations.length > 0) {
    throw new ConfigError(
      `${summary.policy.violations.length} policy violation(s):\n${formatViolations(summary.policy)}\n` +
        'Fix the chart, or opt the object out of one rule with an annotation that gives the reason (see README, "Policy gate").',
    );
  }
  return writeRendered(summary, options);
}

/**
 * Swaps a checked render into `dist/` and `argocd/` under the lock. `beforeSwap` runs inside the lock first
 * (`npm run release` writes the release file there, so no render sees the new release without its output).
 */
export function writeRendered(summary: RenderSummary, options: Omit<SynthesizeOptions, keyof RenderOptions>, beforeSwap?: () => void): SynthesizeResult {
  const defaults = outputControlFiles(options.outDir);
  const journal = options.journal ?? defaults.journal;
  const folders: OutputFolder[] = [];
  // docs/platforms/ (the diagrams) is swapped in with dist/ and argocd/, when every environment was rendered.
  const docs = options.docsDir && summary.docs ? [[options.docsDir, summary.docs] as const] : [];
  for (const [root, trees] of [[options.outDir, summary.dist], [options.argocdDir, summary.argocd], ...docs] as const) {
    for (const [env, files] of trees) folders.push({ root, folder: env, files });
  }
  return withLock(options.lockFile ?? defaults.lockFile, () => {
    const roots = [options.outDir, options.argocdDir, ...(options.docsDir ? [options.docsDir] : [])];
    for (const repaired of recoverInterruptedSwap(journal, roots, options.fs)) options.onRepair?.(repaired);
    beforeSwap?.();
    const result = replaceFolders(folders, { journal, fs: options.fs, beforeRename: options.beforeRename });
    // Only after the output is in place: a failed render keeps the cache entries it might still need. Only the
    // repository's own cache (dist/ beside it), not one a render into another folder happened to read.
    if (dirname(resolve(options.outDir)) === process.cwd()) {
      const cache = new RenderCache();
      for (const [env, entries] of summary.addonCache) cache.prune(env, entries);
    }
    return { summary, ...result };
  }, { timeoutMs: options.lockTimeoutMs, onWait: options.onLockWait });
}
