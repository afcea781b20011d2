import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { helmEnv } from './chart-source';

/** The helm the add-ons are rendered with; scripts/ensure-helm.sh installs exactly this one. Part of the cache key. */
export const HELM_VERSION = 'v3.19.5';

let installed: string | undefined;

/** The path of the pinned helm, installed into .tools/bin on first use (only a cache miss gets here). */
export function ensureHelm(root: string = process.cwd()): string {
  if (installed) return installed;
  const r = spawnSync('bash', [join(root, 'scripts', 'ensure-helm.sh')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    throw new ConfigError(`an add-on's chart or values changed, so it must be rendered with helm ${HELM_VERSION}, which is not installed and could not be built (scripts/ensure-helm.sh exited ${r.status})`);
  }
  installed = r.stdout.trim().split('\n').pop()!;
  return installed;
}

export interface HelmTemplateOptions {
  readonly release: string;
  readonly namespace: string;
  /** Path of the verified chart archive. */
  readonly archive: string;
  readonly values: Record<string, unknown>;
  /** The cluster's Kubernetes version (a plain `go install` helm would assume v1.20). */
  readonly kubeVersion: string;
  /** API versions the cluster serves beyond the built-in ones (CRDs of other add-ons). */
  readonly apiVersions: readonly string[];
  /** Render the chart's `crds/` folder. */
  readonly includeCrds: boolean;
}

/** `helm template` of one release: the chart's manifests as one YAML stream. Test hooks are left out. */
export function helmTemplate(helm: string, options: HelmTemplateOptions): string {
  const scratch = mkdtempSync(join(tmpdir(), 'helm-template-'));
  try {
    const valuesFile = join(scratch, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(options.values));
    const args = [
      'template', options.release, options.archive,
      '--namespace', options.namespace,
      '--kube-version', options.kubeVersion,
      ...options.apiVersions.flatMap((v) => ['--api-versions', v]),
      '--values', valuesFile,
      '--skip-tests',
      options.includeCrds ? '--include-crds' : '--skip-crds',
    ];
    const r = spawnSync(helm, args, { encoding: 'utf8', env: helmEnv(scratch), maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) {
      throw new ConfigError(`helm template ${options.release} (${options.archive}) failed:\n${r.stderr.trim()}`);
    }
    return r.stdout;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
