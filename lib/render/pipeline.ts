import { ENVIRONMENTS, loadEnvironment } from '../../environments';
import type { EnvironmentInput } from '../../environments/schema';
import { PLATFORMS } from '../../charts';
import type { ImagePolicy } from '../image';
import type { PlatformDefinition } from '../platform';
import { renderArgoCd } from '../argocd/render';
import { checkPolicies, PolicyReport } from '../policy/gate';
import { ConfigError } from '../errors';
import { renderEnvironment } from './build';
import type { RenderedFile } from './kube-object';
import { toYaml } from './serialize';

export interface RenderOptions {
  /** Only these environments. @default all */
  readonly environments?: readonly string[];
  readonly platforms?: readonly PlatformDefinition[];
  readonly environmentInputs?: readonly EnvironmentInput[];
}

export interface RenderResult {
  /** Environment name → files (path relative to that environment's folder) → YAML. */
  readonly dist: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Environment name → files of `argocd/<env>/` (path relative to that folder) → YAML. */
  readonly argocd: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly files: readonly RenderedFile[];
  /** The Argo CD objects, paths relative to `argocd/`. */
  readonly argocdFiles: readonly RenderedFile[];
  readonly policy: PolicyReport;
  readonly environments: readonly string[];
  readonly systems: readonly string[];
}

/** Loads, validates, renders and checks everything; writes nothing. Throws ConfigError on bad input. */
export function renderAll(options: RenderOptions = {}): RenderResult {
  const inputs = options.environmentInputs ?? ENVIRONMENTS;
  const wanted = options.environments;
  for (const name of wanted ?? []) {
    if (!inputs.some((e) => e.name === name)) {
      throw new ConfigError(`unknown environment '${name}' (environments: ${inputs.map((e) => e.name).join(', ')})`);
    }
  }
  const platforms = options.platforms ?? PLATFORMS;
  const files: RenderedFile[] = [];
  const dist = new Map<string, Map<string, string>>();
  const argocdFiles: RenderedFile[] = [];
  const argocd = new Map<string, Map<string, string>>();
  const environments: string[] = [];
  const imagePolicies = new Map<string, ImagePolicy>();
  for (const input of inputs) {
    if (wanted && !wanted.includes(input.name)) continue;
    const env = loadEnvironment(input);
    const rendered = renderEnvironment(env, platforms);
    files.push(...rendered);
    dist.set(env.name, new Map(rendered.map((f) => [f.path.slice(env.name.length + 1), toYaml(f.objects)])));
    const gitops = renderArgoCd(env, rendered, platforms);
    argocdFiles.push(...gitops);
    argocd.set(env.name, new Map(gitops.map((f) => [f.path.slice(env.name.length + 1), toYaml(f.objects)])));
    environments.push(env.name);
    imagePolicies.set(env.name, env.imagePolicy);
  }
  const policy = checkPolicies(files, imagePolicies);
  const systems = [...new Set(files.map((f) => f.path.split('/')[1]))].sort();
  return { dist, argocd, files, argocdFiles, policy, environments, systems };
}
