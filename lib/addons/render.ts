import type { Environment } from '../../environments/schema';
import { ConfigError } from '../errors';
import { isClusterScoped, withSyncWaves } from '../kinds';
import type { KubeObject, RenderedFile } from '../kube-object';
import { addonNamespace } from './addon-namespace';
import { addonNetworkPolicies } from './addon-network-policies';
import { ADDONS, AddonDefinition, enabledAddons, EnabledAddon } from './catalog';
import { ChartLock, LockedChart } from './chart-lock';
import { fetchChart } from './chart-source';
import { ensureHelm, HELM_VERSION, helmTemplate } from './helm';
import { applyPolicyExemptions } from './policy-exemptions';
import { RenderCache, renderKey, sha256 } from './render-cache';
import { chartArchiveDefaults } from './chart-defaults';
import { checkValues } from './values-check';
import { readVendoredCrds, vendoredCrdObjects } from './vendored-crds';

/** Argo CD applies an object with this annotation server-side even if the Application's default changes. */
const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/** kubectl's client-side apply keeps the whole object in an annotation limited to 256 KiB. */
const CLIENT_SIDE_APPLY_LIMIT = 256 * 1024;

/** Folder of `dist/<env>/` that holds an add-on's CRDs. */
export const crdFolder = (addon: string) => `${addon}-crds`;

/**
 * Sync options an add-on object carries itself. CRDs and add-on Namespaces are never deleted or pruned by Argo
 * CD: removing a CRD deletes every resource of its kind (every NodePool, every ExternalSecret), removing
 * Argo CD's namespace removes Argo CD. Taking one away is a deliberate `kubectl delete`. CRDs too large for
 * client-side apply are applied server-side whatever the Application says.
 */
function syncOptionsOf(o: KubeObject): string[] {
  if (o.kind === 'Namespace') return ['Prune=false', 'Delete=false'];
  if (o.kind !== 'CustomResourceDefinition') return [];
  return [...(jsonLength(o) > CLIENT_SIDE_APPLY_LIMIT ? ['ServerSideApply=true'] : []), 'Prune=false', 'Delete=false'];
}

/** Cached objects are frozen and shared by the environments: each large CRD is measured once. */
const jsonLengths = new WeakMap<object, number>();
function jsonLength(o: KubeObject): number {
  let length = jsonLengths.get(o);
  if (length === undefined) {
    length = JSON.stringify(o).length;
    if (Object.isFrozen(o)) jsonLengths.set(o, length);
  }
  return length;
}

/** One `helm template` of a release: what it needs and where its output is cached. */
interface Release {
  readonly env: string;
  /** The add-on the release belongs to, for messages. */
  readonly addon: string;
  /** Release (and cache entry) name. */
  readonly release: string;
  readonly chart: LockedChart;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly kubeVersion: string;
  readonly apiVersions: readonly string[];
  readonly includeCrds: boolean;
  /** Values paths the chart passes on as free-form maps (AddonDefinition.freeFormValues). */
  readonly freeForm: readonly string[];
}

export interface AddonRenderOptions {
  readonly root?: string;
  readonly addons?: readonly AddonDefinition[];
  /** Ignore the cache and render with Helm (the check that the committed render is real). @default false */
  readonly fresh?: boolean;
  /** Where cache entries are read and written. @default the repository's addons/render-cache */
  readonly cache?: RenderCache;
  /** The chart lock to render with. @default the repository's addons/charts.lock.json */
  readonly lock?: ChartLock;
}

/** What rendering the add-ons of one environment produced. */
export interface AddonRender {
  /** The add-ons rendered, by name (their dist folder). */
  readonly names: readonly string[];
  readonly files: RenderedFile[];
  /** Cache entries (file names) the environment uses: everything else of its cache folder is stale. */
  readonly cacheEntries: ReadonlySet<string>;
  /** Releases Helm had to render (cache misses). */
  readonly rendered: readonly string[];
}

/**
 * Renders the add-ons an environment turns on into `dist/<env>/<addon>/` and `dist/<env>/<addon>-crds/`.
 * Each release's `helm template` output comes from the render cache when the chart digest and the values
 * are the ones it was rendered for, so Helm runs only for what changed.
 */
export function renderAddons(env: Environment, options: AddonRenderOptions = {}): AddonRender {
  const root = options.root ?? process.cwd();
  const enabled = enabledAddons(env, options.addons ?? ADDONS);
  if (enabled.length === 0) return { names: [], files: [], cacheEntries: new Set(), rendered: [] };
  const lock = options.lock ?? ChartLock.load(root);
  const cache = options.cache ?? new RenderCache(root);
  const files: RenderedFile[] = [];
  const cacheEntries = new Set<string>();
  const rendered: string[] = [];
  const apiVersions = env.addons.kubePrometheusStack ? ['monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PrometheusRule'] : [];
  const kubeVersion = `${env.cluster.kubernetes_version}.0`;

  const objectsOf = (release: Release): readonly KubeObject[] => {
    const key = renderKey({
      chart: release.chart.name, version: release.chart.version, sha256: release.chart.sha256, helm: HELM_VERSION, release: release.release,
      namespace: release.namespace, kubeVersion: release.kubeVersion, apiVersions: release.apiVersions, includeCrds: release.includeCrds, values: release.values,
    });
    cacheEntries.add(cache.path(env.name, release.release, key).split('/').pop()!);
    const cached = options.fresh ? undefined : cache.read(env.name, release.release, key);
    if (cached) return cached;
    const helm = () => ensureHelm(root);
    const archive = fetchChart(release.chart, helm, root);
    // Helm ignores a key the chart does not read: a typo in the catalog would pass silently.
    checkValues(env.name, release.addon, release.values, chartArchiveDefaults(archive, release.chart.name, `${release.chart.name} ${release.chart.version}`), release.freeForm);
    const yaml = helmTemplate(helm(), { ...release, release: release.release, archive });
    const objects = parseManifests(yaml, `${env.name}/${release.release}`);
    rendered.push(release.release);
    if (!options.fresh) cache.write(env.name, release.release, key, objects);
    return objects;
  };

  /** A vendored CRD set (verified on every render), parsed once and cached like a Helm render. */
  const vendoredOf = (release: string, set: string, version: string): readonly KubeObject[] => {
    const crds = readVendoredCrds(root, set, version);
    const key = sha256(`vendored\n${crds.digest}`).slice(0, 20);
    cacheEntries.add(cache.path(env.name, release, key).split('/').pop()!);
    const cached = options.fresh ? undefined : cache.read(env.name, release, key);
    if (cached) return cached;
    const objects = vendoredCrdObjects(crds, set);
    if (!options.fresh) cache.write(env.name, release, key, objects);
    return objects;
  };

  const namespaceOwners = new Map<string, string>();
  for (const item of enabled) {
    const { addon } = item;
    const crds = addon.crds ?? 'chart';
    const base = { env: env.name, addon: addon.name, namespace: item.namespace, kubeVersion, apiVersions, freeForm: (addon.freeFormValues ?? []).map((f) => f.path) };
    const main = objectsOf({ ...base, release: addon.name, chart: lock.get(addon.chart), values: item.values, includeCrds: crds === 'chart' });
    const extraCrds = typeof crds !== 'object' ? []
      : 'chart' in crds ? objectsOf({ ...base, release: `${addon.name}-crds`, chart: lock.get(crds.chart), values: {}, includeCrds: true, freeForm: [] })
        : vendoredOf(`${addon.name}-crds`, crds.vendored, crds.version);
    const chartObjects = [...withoutReplaced(env.name, addon, main), ...extraCrds];
    const own = [...ownObjects(item, namespaceOwners)];
    const policies = addonNetworkPolicies(env, addon.name, item.namespace, own.some((o) => o.kind === 'Namespace'), chartObjects, addon.network);
    files.push(...addonFiles(env.name, item, [...chartObjects, ...own, ...policies]));
  }
  return { names: enabled.map((e) => e.addon.name), files, cacheEntries, rendered };
}

/** The chart's objects without those the add-on replaces by its own (see AddonDefinition.replaces). */
function withoutReplaced(env: string, addon: AddonDefinition, objects: readonly KubeObject[]): KubeObject[] {
  const replaces = addon.replaces ?? [];
  for (const r of replaces) {
    if (!objects.some((o) => o.kind === r.kind && o.metadata?.name === r.name)) {
      throw new ConfigError(`environment ${env}: add-on ${addon.name} replaces ${r.kind} ${r.name}, which its chart no longer renders — check the chart's changes and update replaces in lib/addons/catalog.ts`);
    }
  }
  return objects.filter((o) => !replaces.some((r) => r.kind === o.kind && r.name === o.metadata?.name));
}

/** The Namespace an add-on creates (the first add-on of a namespace does) and its own objects. */
function* ownObjects(item: EnabledAddon, owners: Map<string, string>): Generator<KubeObject> {
  const security = item.addon.namespaceSecurity;
  if (security && !owners.has(item.namespace)) {
    owners.set(item.namespace, item.addon.name);
    yield addonNamespace(item.namespace, item.addon.name, security.level, security.reason, security.externalSecrets, security.readinessGates);
  }
  yield* item.addon.objects?.(item.context) ?? [];
}

/** The documents of `helm template` output as objects (`List`s expanded, empty documents dropped). */
export function parseManifests(yaml: string, where: string): KubeObject[] {
  // Loaded only on a cache miss: the common synth never parses Helm output.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseAllDocuments } = require('yaml') as typeof import('yaml');
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(yaml)) {
    if (doc.errors.length > 0) throw new ConfigError(`${where}: helm produced invalid YAML: ${doc.errors[0].message}`);
    const body = doc.toJS({ maxAliasCount: -1 }) as KubeObject | null;
    if (body === null || body === undefined) continue;
    const items = body.kind === 'List' ? ((body as unknown as { items: KubeObject[] }).items ?? []) : [body];
    objects.push(...items);
  }
  return objects;
}

/**
 * Sorted copies of frozen values (cache entries, shared by the environments), frozen too: a chart's large CRDs
 * are sorted once for every environment.
 */
const sortedCopies = new WeakMap<object, unknown>();

/** A copy with every object's keys in code-point order (sort()'s default order). */
const sortKeysDeep = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  const known = sortedCopies.get(value);
  if (known !== undefined) return known;
  if (!Object.isFrozen(value)) return sortedCopy(value);
  // Cache entries are stored in key order: most frozen values are their own sorted copy.
  const copy = inKeyOrder(value) ? value : Object.freeze(sortedCopy(value));
  sortedCopies.set(value, copy);
  return copy;
};

/** Are the keys in code-point order at every level? (Integer-like keys enumerate first and fail it: they get a copy.) */
function inKeyOrder(value: object): boolean {
  if (Array.isArray(value)) return value.every((v) => v === null || typeof v !== 'object' || inKeyOrder(v));
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    const v = (value as Record<string, unknown>)[key];
    if (v !== null && typeof v === 'object' && !inKeyOrder(v)) return false;
  }
  return true;
}

// Add-on objects are large: no arrays of entries.
const sortedCopy = (value: object): object => {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = sortKeysDeep((value as Record<string, unknown>)[key]);
    // A plain assignment to '__proto__' would set the prototype instead of adding the key.
    if (key === '__proto__') Object.defineProperty(sorted, key, { value: v, enumerable: true, writable: true, configurable: true });
    else sorted[key] = v;
  }
  return sorted;
};

const objectOrder = (a: KubeObject, b: KubeObject) => {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * The add-on's objects as files: namespaced objects get the release namespace when the chart left it to
 * `helm install -n`, listed policy exemptions are annotated, sync waves set; CRDs go to the CRD folder, one
 * file each, everything else to the add-on's folder, one file per kind.
 */
export function addonFiles(env: string, item: EnabledAddon, objects: readonly KubeObject[]): RenderedFile[] {
  const name = item.addon.name;
  const folder = `${env}/${name}`;
  const normalised = objects.map((o) => {
    const where = `${folder} (chart ${item.addon.chart})`;
    if (!o?.kind || !o.metadata?.name) throw new ConfigError(`${where}: an object without kind or metadata.name`);
    const scoped = isClusterScoped(o, where);
    const metadata = scoped || o.metadata.namespace ? o.metadata : { ...o.metadata, namespace: item.namespace };
    let object = { ...o, metadata } as KubeObject;
    // A crash-looping add-on pod must not block node drains (the rule pdb-unhealthy-eviction); few charts offer it.
    if (o.kind === 'PodDisruptionBudget') object = { ...object, spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow', ...(o as { spec?: object }).spec } } as KubeObject;
    const options = syncOptionsOf(o);
    if (options.length > 0) {
      object = { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [SYNC_OPTIONS_ANNOTATION]: options.join(',') } } };
    }
    return sortKeysDeep(object) as KubeObject;
  });
  const exempted = applyPolicyExemptions(env, item.addon.name, normalised);
  const files = new Map<string, KubeObject[]>();
  for (const o of exempted) {
    const path = o.kind === 'CustomResourceDefinition' ? `${env}/${crdFolder(name)}/${o.metadata.name}.yaml` : `${folder}/${o.kind.toLowerCase()}.yaml`;
    const list = files.get(path) ?? [];
    list.push(o);
    files.set(path, list);
  }
  return [...files]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, list]) => ({ path, objects: withSyncWaves([...list].sort(objectOrder), path) }));
}
