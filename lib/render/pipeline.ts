import { join } from 'node:path';
import { checkEnvironmentsApart, ENVIRONMENT_SOURCES, EnvironmentSource, loadEnvironment } from '../../environments';
import type { Releases } from '../../environments/releases';
import type { Environment, EnvironmentInput } from '../../environments/schema';
import type { ImagePolicy } from '../image';
import type { PlatformDefinition } from '../platform';
import { renderArgoCdWithPlan } from '../argocd/render';
import { clusterTopology } from '../diagrams/cluster-topology';
import { diagramDocuments, DIAGRAMS_FOLDER, EnvironmentTopology } from '../diagrams/documents';
import { platformTopology } from '../diagrams/platform-topology';
import type { PlatformContext } from '../platform-context';
import { checkPolicies, PolicyReport } from '../policy/gate';
import { ConfigError } from '../errors';
import { renderAddons } from '../addons/render';
import { checkSingleOwners } from '../addons/ownership';
import { byCodePoint } from '../validation';
import { renderEnvironment } from './build';
import type { RenderedFile } from '../kube-object';
import { toYaml } from './serialize';

export interface RenderOptions {
  /** Only these environments. @default all */
  readonly environments?: readonly string[];
  /** The platforms to render: the entry points pass the repository's list, `PLATFORMS` of charts/. */
  readonly platforms: readonly PlatformDefinition[];
  /** Environments to load instead of the committed ones, each assumed to be `environments/<name>.ts`. */
  readonly environmentInputs?: readonly EnvironmentInput[];
  /** Environments with the files they come from, instead of the committed ones. */
  readonly environmentSources?: readonly EnvironmentSource[];
  /** Folder that `clusterFactsFile` is relative to. @default environments/ below the working directory */
  readonly factsDir?: string;
  /** Release data per environment instead of `releases/<env>.json` (checked before the file is written). */
  readonly releases?: ReadonlyMap<string, Releases>;
}

/** A render with its objects, for tests and tools that inspect them. */
export interface RenderResult extends RenderSummary {
  readonly files: readonly RenderedFile[];
  /** The Argo CD objects, paths relative to `argocd/`. */
  readonly argocdFiles: readonly RenderedFile[];
}

/** One environment's rendered output, as plain data (it may come from a worker thread). */
export interface EnvironmentOutput {
  readonly name: string;
  /** Files of `dist/<env>/` (paths relative to it) → YAML. */
  readonly dist: ReadonlyMap<string, string>;
  /** Files of `argocd/<env>/` (paths relative to it) → YAML. */
  readonly argocd: ReadonlyMap<string, string>;
  readonly policy: PolicyReport;
  /** The platforms rendered (folders of dist/<env>/ from charts/). */
  readonly platforms: readonly string[];
  /** The add-ons rendered (their folders; each has a `<name>-crds` folder beside it when it ships CRDs). */
  readonly addons: readonly string[];
  readonly objectCount: number;
  /** What the diagrams draw, as plain data. */
  readonly topology: EnvironmentTopology;
  /** Entries of addons/render-cache/<env>/ this render used (the rest are stale). */
  readonly addonCache: ReadonlySet<string>;
  /** Add-on releases Helm rendered because their chart or values changed. */
  readonly helmRendered: readonly string[];
}

/** What `npm run synth` needs of a render: the output of every environment, merged. */
export interface RenderSummary {
  readonly dist: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly argocd: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly policy: PolicyReport;
  /**
   * Files of `docs/<folder>/` (`platforms`): the diagrams of every environment. Absent when only some
   * environments were rendered, since each platform's page shows them all.
   */
  readonly docs?: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly topologies: readonly EnvironmentTopology[];
  readonly environments: readonly string[];
  readonly platforms: readonly string[];
  readonly addons: readonly string[];
  readonly fileCount: number;
  readonly objectCount: number;
  readonly argocdFileCount: number;
  readonly addonCache: ReadonlyMap<string, ReadonlySet<string>>;
  readonly helmRendered: readonly string[];
}

/**
 * One string for each distinct file text of a render. The environments' copies of an add-on's CRDs are equal
 * but built one by one (the shared part joined with each file's own head); kept once, three environments
 * hold 9 MB of CRD text instead of 26 MB until the files are written.
 */
class FileTexts {
  private readonly texts = new Map<string, string>();

  public intern(text: string): string {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    this.texts.set(text, text);
    return text;
  }
}

/** Renders, serialises and checks one environment. */
function renderOne(env: Environment, platforms: readonly PlatformDefinition[], texts: FileTexts): EnvironmentOutput & { files: RenderedFile[]; argocdFiles: RenderedFile[] } {
  const contexts: PlatformContext[] = [];
  const addons = renderAddons(env);
  const files = [...renderEnvironment(env, platforms, undefined, (context) => contexts.push(context)), ...addons.files];
  checkSingleOwners(env.name, files);
  const { plan, files: argocdFiles } = renderArgoCdWithPlan(env, files, platforms);
  const relative = (list: readonly RenderedFile[]) => new Map(list.map((f) => [f.path.slice(env.name.length + 1), texts.intern(toYaml(f.objects))]));
  return {
    name: env.name,
    files,
    argocdFiles,
    dist: relative(files),
    argocd: relative(argocdFiles),
    policy: checkPolicies(files, new Map<string, ImagePolicy>([[env.name, env.imagePolicy]])),
    platforms: contexts.map((c) => c.platform),
    addons: addons.names,
    objectCount: files.reduce((n, f) => n + f.objects.length, 0),
    topology: {
      environment: env.name,
      platforms: contexts.map((context) => platformTopology(
        context,
        platforms.find((p) => p.name === context.platform)!.description,
        files.filter((f) => f.path.startsWith(`${env.name}/${context.platform}/`)).flatMap((f) => f.objects.filter((o) => o.kind === 'NetworkPolicy')),
      )),
      cluster: clusterTopology(plan, files),
    },
    addonCache: addons.cacheEntries,
    helmRendered: addons.rendered.map((r) => `${env.name}/${r}`),
  };
}

/**
 * Loads every environment (all of them, also when only some are rendered: they must stay apart from each
 * other) and returns the selected ones.
 */
function selectEnvironments(options: RenderOptions): Environment[] {
  const sources = options.environmentSources
    ?? options.environmentInputs?.map((input) => ({ file: `environments/${String(input?.name)}.ts`, input }))
    ?? ENVIRONMENT_SOURCES;
  const factsDir = options.factsDir ?? join(process.cwd(), 'environments');
  const loaded = sources.map((s) => ({
    env: loadEnvironment(s.input, factsDir, options.environmentSources || !options.environmentInputs ? s.file : undefined, {
      releases: options.releases?.get(String(s.input?.name)),
    }),
    file: s.file,
  }));
  checkEnvironmentsApart(loaded);
  for (const name of options.environments ?? []) {
    if (!loaded.some((e) => e.env.name === name)) {
      throw new ConfigError(`unknown environment '${name}' in --env: there is no environments/${name}.ts (environments: ${loaded.map((e) => e.env.name).join(', ')})`);
    }
  }
  return loaded.map((e) => e.env).filter((e) => !options.environments || options.environments.includes(e.name));
}

function summarise(outputs: readonly EnvironmentOutput[], everyEnvironment: boolean): RenderSummary {
  const topologies = outputs.map((o) => o.topology);
  return {
    dist: new Map(outputs.map((o) => [o.name, o.dist])),
    argocd: new Map(outputs.map((o) => [o.name, o.argocd])),
    ...(everyEnvironment ? { docs: new Map([[DIAGRAMS_FOLDER, diagramDocuments(topologies)]]) } : {}),
    topologies,
    policy: {
      violations: outputs.flatMap((o) => o.policy.violations),
      exemptions: outputs.flatMap((o) => o.policy.exemptions),
    },
    environments: outputs.map((o) => o.name),
    platforms: [...new Set(outputs.flatMap((o) => o.platforms))].sort(byCodePoint),
    addons: [...new Set(outputs.flatMap((o) => o.addons))].sort(byCodePoint),
    fileCount: outputs.reduce((n, o) => n + o.dist.size, 0),
    objectCount: outputs.reduce((n, o) => n + o.objectCount, 0),
    argocdFileCount: outputs.reduce((n, o) => n + o.argocd.size, 0),
    addonCache: new Map(outputs.map((o) => [o.name, o.addonCache])),
    helmRendered: outputs.flatMap((o) => o.helmRendered),
  };
}

/** Loads, validates, renders and checks everything, in this thread; writes nothing. Throws ConfigError on bad input. */
export function renderAll(options: RenderOptions): RenderResult {
  const texts = new FileTexts();
  const outputs = selectEnvironments(options).map((env) => renderOne(env, options.platforms, texts));
  return {
    ...summarise(outputs, !options.environments),
    files: outputs.flatMap((o) => o.files),
    argocdFiles: outputs.flatMap((o) => o.argocdFiles),
  };
}

/**
 * The render for writing: like `renderAll`, but each environment's objects are dropped as soon as its YAML
 * and checks are done, so memory holds one environment's objects at a time.
 */
export function renderForWrite(options: RenderOptions): RenderSummary {
  const texts = new FileTexts();
  return summarise(selectEnvironments(options).map((env) => {
    const { files: _files, argocdFiles: _argocdFiles, ...output } = renderOne(env, options.platforms, texts);
    return output;
  }), !options.environments);
}
