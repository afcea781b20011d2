import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../../environments/schema';
import { diffTrees, GroupDiff } from './manifest-diff';
import { ConfigError } from '../errors';
import { toYaml } from '../render/serialize';
import { ChartLock, LockedChart } from '../addons/chart-lock';
import { ChartSource } from '../addons/chart-source';
import { renderAddons } from '../addons/render';
import { RenderCache } from '../addons/render-cache';

/**
 * The upgrade `npm run addons:verify` rehearses when none is named: Karpenter and its CRD chart to the other
 * version the mirror holds, whose diff has all three things a reviewer looks for (an image, RBAC rules, CRDs).
 */
export const DEFAULT_REHEARSAL = ['karpenter', 'karpenter-crd'] as const;

/** The versions of a chart a static Helm repository (`index.yaml`) holds, with their archive digests. */
export function mirrorVersions(source: ChartSource, chart: string): { version: string; sha256: string }[] {
  if (source.kind !== 'mirror-folder') throw new ConfigError(`a chart upgrade is rehearsed from a chart mirror folder (${source.location} is not one); set HELM_CHART_MIRROR to one`);
  const index = join(source.location, 'index.yaml');
  if (!existsSync(index)) throw new ConfigError(`${index} is missing: ${source.location} is not a Helm repository`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof import('yaml');
  const entries = (parse(readFileSync(index, 'utf8')) as { entries?: Record<string, { version: string; digest?: string }[]> }).entries?.[chart] ?? [];
  return entries.filter((e) => e.digest).map((e) => ({ version: e.version, sha256: e.digest! }));
}

/** `1.12.1` < `1.14.1`: numeric by part (pre-release suffixes are ignored). */
const byVersion = (a: string, b: string) => {
  const pa = a.split(/[.+-]/).map(Number);
  const pb = b.split(/[.+-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
};

/**
 * The lock entry of `chart` at `version`, digest from the mirror, or, without a version, at the newest version
 * the mirror holds besides the locked one (the upgrade, or the downgrade when the lock is already newest).
 */
export function bumpFromMirror(lock: ChartLock, source: ChartSource, chart: string, version?: string): LockedChart {
  const locked = lock.get(chart);
  const versions = mirrorVersions(source, chart);
  const other = version
    ? versions.find((v) => v.version === version)
    : versions.filter((v) => v.version !== locked.version).sort((a, b) => byVersion(b.version, a.version))[0];
  if (!other) {
    throw new ConfigError(`the chart mirror ${source.location} has ${version ? `no ${chart} ${version}` : `no version of ${chart} besides the locked ${locked.version}`} ` +
      `(it has: ${versions.map((v) => v.version).join(', ') || 'none'})`);
  }
  return { ...locked, ...other };
}

/** The rendered add-on output of an environment as a `dist/` tree, for diffTrees. */
const distTree = (files: readonly { path: string; objects: readonly object[] }[]) => new Map(files.map((f) => [`dist/${f.path}`, toYaml(f.objects as never)]));

/**
 * What `npm run diff` would show for a chart upgrade, without committing it: the environment's add-ons as
 * committed (render cache) against a fresh Helm render with the lock changed. Needs helm and the charts.
 */
export function rehearseUpgrade(env: Environment, changes: readonly LockedChart[], root: string = process.cwd()): { diff: GroupDiff[]; rendered: readonly string[] } {
  const before = renderAddons(env, { root });
  // Only the releases of the changed charts miss the cache; nothing is written to it.
  const after = renderAddons(env, { root, lock: ChartLock.load(root).with(changes), cache: new ReadOnlyRenderCache(root) });
  return { diff: diffTrees(distTree(before.files), distTree(after.files)), rendered: after.rendered };
}

/** The committed render cache, read but never written: a rehearsal leaves the repository as it was. */
class ReadOnlyRenderCache extends RenderCache {
  public override write(): void {}
  public override prune(): void {}
}
