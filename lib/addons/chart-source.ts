import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { CHART_LOCK_FILE, LockedChart } from './chart-lock';

/** Environment variable naming a chart mirror: a folder or an http(s) URL of a static Helm repository. */
export const MIRROR_VARIABLE = 'HELM_CHART_MIRROR';
/**
 * The mirror used when the variable is not set and the folder exists: CI checks the repository out next to
 * `shared/`, whose `charts/` is an offline Helm repository. Anywhere else the charts come from upstream.
 */
export const DEFAULT_MIRROR = '../shared/charts';
/** Downloaded and verified archives, by digest (git-ignored). */
const DOWNLOADS = '.tools/charts';

/** Where the charts are fetched from on this machine. */
export interface ChartSource {
  readonly kind: 'mirror-folder' | 'mirror-url' | 'upstream';
  /** The folder or URL, for messages. */
  readonly location: string;
}

/** `HELM_CHART_MIRROR`, else `../shared/charts` when it exists, else each chart's upstream repository. */
export function chartSource(root: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): ChartSource {
  const configured = env[MIRROR_VARIABLE]?.trim();
  if (configured) {
    if (/^https?:\/\//.test(configured)) return { kind: 'mirror-url', location: configured.replace(/\/$/, '') };
    return { kind: 'mirror-folder', location: isAbsolute(configured) ? configured : resolve(root, configured) };
  }
  const fallback = resolve(root, DEFAULT_MIRROR);
  if (existsSync(join(fallback, 'index.yaml'))) return { kind: 'mirror-folder', location: fallback };
  return { kind: 'upstream', location: 'upstream repositories' };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The local path of the locked chart's archive, fetched from the source and verified against the lock's
 * sha256. Refuses an archive whose digest differs: it is not the chart the committed render was made from.
 */
export function fetchChart(chart: LockedChart, helm: () => string, root: string = process.cwd(), source: ChartSource = chartSource(root)): string {
  const cached = join(root, DOWNLOADS, `${chart.name}-${chart.version}-${chart.sha256.slice(0, 16)}.tgz`);
  if (existsSync(cached) && sha256File(cached) === chart.sha256) return cached;
  mkdirSync(join(root, DOWNLOADS), { recursive: true });
  const tmp = mkdtempSync(join(root, DOWNLOADS, '.pull-'));
  try {
    let archive: string;
    if (source.kind === 'mirror-folder') {
      archive = join(source.location, `${chart.name}-${chart.version}.tgz`);
      if (!existsSync(archive)) {
        throw new ConfigError(`chart ${chart.name} ${chart.version} is not in the mirror ${source.location} (expected ${chart.name}-${chart.version}.tgz); ` +
          `add it to the mirror, or unset ${MIRROR_VARIABLE} to fetch from ${chart.repository}`);
      }
    } else {
      const args = source.kind === 'mirror-url'
        ? ['pull', chart.name, '--repo', source.location, '--version', chart.version, '--destination', tmp]
        : chart.repository.startsWith('oci://')
          ? ['pull', `${chart.repository.replace(/\/$/, '')}/${chart.name}`, '--version', chart.version, '--destination', tmp]
          : ['pull', chart.name, '--repo', chart.repository, '--version', chart.version, '--destination', tmp];
      const r = spawnSync(helm(), args, { encoding: 'utf8', env: helmEnv(tmp) });
      if (r.status !== 0) {
        throw new ConfigError(`cannot fetch chart ${chart.name} ${chart.version} from ${source.kind === 'upstream' ? chart.repository : source.location}: ${r.stderr.trim()}` +
          `\n  offline? point ${MIRROR_VARIABLE} at a chart mirror (a folder or URL holding ${chart.name}-${chart.version}.tgz)`);
      }
      const pulled = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
      if (!pulled) throw new ConfigError(`helm pull of ${chart.name} ${chart.version} produced no archive`);
      archive = join(tmp, pulled);
    }
    const digest = sha256File(archive);
    if (digest !== chart.sha256) {
      throw new ConfigError(
        `chart ${chart.name} ${chart.version} from ${source.kind === 'upstream' ? chart.repository : source.location} has sha256 ${digest}, ` +
          `but ${CHART_LOCK_FILE} locks ${chart.sha256}: refusing to render an archive that is not the locked one. ` +
          'If you are upgrading the chart on purpose, set its version and the new sha256 in the lock (docs/addons.md, "Upgrade a chart").',
      );
    }
    const staged = join(tmp, 'verified.tgz');
    copyFileSync(archive, staged);
    renameSync(staged, cached);
    return cached;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Helm's own config, cache and data folders inside a scratch folder: no repository list, no user state. */
export function helmEnv(scratch: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELM_CONFIG_HOME: join(scratch, 'helm-config'),
    HELM_CACHE_HOME: join(scratch, 'helm-cache'),
    HELM_DATA_HOME: join(scratch, 'helm-data'),
  };
}
