import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Releases, RELEASES_DIR, writeReleases } from '../../environments/releases';
import { diffTrees, formatDiffMarkdown } from '../review/manifest-diff';
import { ConfigError } from '../errors';
import { formatViolations } from '../policy/gate';
import { renderForWrite } from '../render/pipeline';
import { writeRendered } from '../render/synthesize';
import { listFiles } from '../render/write';
import type { PlatformDefinition } from '../platform';

export interface ApplyOptions {
  /** The repository root: `releases/`, `dist/` and `argocd/` below it. */
  readonly root: string;
  /** The platforms to render: the entry point passes `PLATFORMS` of charts/. */
  readonly platforms: readonly PlatformDefinition[];
  /** Render and diff, write nothing. @default false */
  readonly dryRun?: boolean;
}

export interface ApplyResult {
  /** The rendered-manifest diff against what `dist/` and `argocd/` held, as Markdown. */
  readonly diff: string;
  readonly written: boolean;
}

/**
 * Renders an environment with new release data completely in memory and runs the policy gate; only when all
 * of it passed are `releases/<env>.json`, then `dist/<env>/` and `argocd/<env>/` written. Any failure throws
 * a ConfigError before a byte is written.
 */
export function applyReleases(environment: string, releases: Releases, options: ApplyOptions): ApplyResult {
  const summary = renderForWrite({ platforms: options.platforms, environments: [environment], releases: new Map([[environment, releases]]) });
  if (summary.policy.violations.length > 0) {
    throw new ConfigError(`${summary.policy.violations.length} policy violation(s):\n${formatViolations(summary.policy)}`);
  }
  const before = new Map<string, string>();
  const after = new Map<string, string>();
  for (const [folder, trees] of [['dist', summary.dist], ['argocd', summary.argocd]] as const) {
    for (const file of listFiles(join(options.root, folder, environment))) {
      before.set(`${folder}/${environment}/${file}`, readFileSync(join(options.root, folder, environment, file), 'utf8'));
    }
    for (const [file, yaml] of trees.get(environment) ?? []) after.set(`${folder}/${environment}/${file}`, yaml);
  }
  const diff = formatDiffMarkdown(diffTrees(before, after), { base: `the committed dist/${environment} and argocd/${environment}` });
  if (options.dryRun) return { diff, written: false };
  writeRendered(summary, { outDir: join(options.root, 'dist'), argocdDir: join(options.root, 'argocd') }, () => writeReleases(environment, releases, join(options.root, RELEASES_DIR)));
  return { diff, written: true };
}
