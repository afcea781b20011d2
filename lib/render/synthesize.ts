import { ConfigError } from '../errors';
import { formatViolations } from '../policy/gate';
import { RenderOptions, RenderSummary, renderForWrite } from './pipeline';
import { removeStaleStaging, replaceFolder } from './write';

export interface SynthesizeOptions extends RenderOptions {
  /** Root of the rendered manifests, `dist/`. */
  readonly outDir: string;
  /** Root of the rendered Argo CD objects, `argocd/`. */
  readonly argocdDir: string;
}

export interface SynthesizeResult {
  readonly summary: RenderSummary;
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/**
 * Renders and checks everything in memory, then swaps in each environment's folders; the whole of
 * `npm run synth` but the printing. Bad input and policy violations throw a ConfigError before anything
 * is written.
 */
export function synthesize(options: SynthesizeOptions): SynthesizeResult {
  const summary = renderForWrite(options);
  if (summary.policy.violations.length > 0) {
    throw new ConfigError(
      `${summary.policy.violations.length} policy violation(s):\n${formatViolations(summary.policy)}\n` +
        'Fix the chart, or opt the object out of one rule with an annotation that gives the reason (see README, "Policy gate").',
    );
  }
  return { summary, ...writeRendered(summary, options) };
}

/** Swaps a checked render into `dist/` and `argocd/`, environment by environment. */
export function writeRendered(summary: RenderSummary, options: Pick<SynthesizeOptions, 'outDir' | 'argocdDir'>): Omit<SynthesizeResult, 'summary'> {
  removeStaleStaging(options.outDir);
  removeStaleStaging(options.argocdDir);
  let written = 0;
  let unchanged = 0;
  let removed = 0;
  for (const [root, trees] of [[options.outDir, summary.dist], [options.argocdDir, summary.argocd]] as const) {
    for (const [env, files] of trees) {
      const r = replaceFolder(root, env, files);
      written += r.written;
      unchanged += r.unchanged;
      removed += r.removed;
    }
  }
  return { written, unchanged, removed };
}
