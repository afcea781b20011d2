import { ApiObject, App, Chart, NumberStringUnionResolver } from 'cdk8s';
import { Construct } from 'constructs';
import { releaseFileName } from '../../environments/releases';
import type { Environment } from '../../environments/schema';
import { withSyncWaves } from '../kinds';
import { KarpenterNodes } from '../karpenter-nodes';
import { ClusterSecretStores } from '../cluster-secret-stores';
import { ConfigError } from '../errors';
import type { PlatformDefinition } from '../platform';
import { PlatformChart } from '../platform-chart';
import { PlatformContext, RouteRegistry } from '../platform-context';
import { PlatformNamespace } from '../platform-namespace';
import { PlatformNetworkPolicies } from '../network-policies';
import { PlatformAlerts } from '../platform-alerts';
import { DataStoreRestore } from '../data-store-backup';
import { PlatformDashboard } from '../platform-dashboard';
import { OtelCollector } from '../otel-collector';
import { CLUSTER_FOLDER, type KubeObject, type RenderedFile } from '../kube-object';

/** Folder below a platform's for the restore Jobs: rendered and checked like everything, applied by hand. */
export const RESTORE_FOLDER = 'restore';

/**
 * Where charts are created. The default gives every chart an App of its own: cdk8s resolves dependencies over
 * a whole App each time a chart is synthesised, so one App per chart keeps the render linear in the number
 * of charts. `cdk8s synth` (main.ts) passes one shared App instead.
 */
export type ScopeFactory = (env: string, folder: string, chart: string) => Construct;

// Only the resolver our objects need (IntOrString, Quantity); no construct here uses Lazy values or tokens,
// and every resolver runs on every value of every object.
export const appPerChart: ScopeFactory = () => new App({ outdir: 'cdk8s.out', resolvers: [new NumberStringUnionResolver()] });

/** A chart built for one file, before it is turned into JSON. */
export interface BuiltChart {
  readonly path: string;
  readonly chart: Chart;
}

/**
 * Renders every chart of an environment into files of plain objects, each object annotated with its Argo CD
 * sync wave (lib/kinds.ts). Pure: writes nothing.
 */
export function renderEnvironment(
  env: Environment,
  platforms: readonly PlatformDefinition[],
  scopeFor: ScopeFactory = appPerChart,
  onPlatform?: (context: PlatformContext) => void,
): RenderedFile[] {
  const files: RenderedFile[] = [];
  const owners = new Map<string, string>();
  // Each chart becomes JSON as soon as it is built, so its construct tree (an App each) can be collected:
  // memory stays at the size of the output, not of every construct of the environment.
  buildEnvironment(env, platforms, scopeFor, ({ path, chart }) => {
    const objects = withSyncWaves(chartObjects(chart), path);
    for (const o of objects) claimObject(env.name, owners, o, path);
    files.push({ path, objects });
  }, onPlatform);
  return files;
}

/**
 * One object per kind, namespace and name: a second one would silently replace the first in the cluster
 * (two services creating the same ExternalSecret, a component named like an object the render adds).
 */
function claimObject(envName: string, owners: Map<string, string>, o: KubeObject, path: string): void {
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  const namespace = o.metadata?.namespace ?? '';
  const key = `${group}/${o.kind}/${namespace}/${o.metadata?.name}`;
  const other = owners.get(key);
  if (other !== undefined) {
    throw new ConfigError(
      `environment ${envName}: ${o.kind} ${namespace ? `${namespace}/` : ''}${o.metadata?.name} is rendered twice, by ${describeFile(other)} and by ` +
        `${describeFile(path)}; the second would overwrite the first in the cluster. Give one of them another name`,
    );
  }
  owners.set(key, path);
}

/** `dist/dev/sales-order/order-service.yaml` → its chart file, or the render itself for derived files. */
function describeFile(path: string): string {
  const [, folder, file] = path.split('/');
  const chart = file.replace(/\.yaml$/, '');
  return folder === CLUSTER_FOLDER || DERIVED_CHARTS.includes(chart) ? `the render itself (dist/${path})` : `charts/${folder}/${chart}.ts`;
}

/** Charts every platform gets from the render, not from a chart file. */
const DERIVED_CHARTS = ['namespace', 'network-policies', 'alerts', 'dashboard', 'tracing'];

/** `OrderServiceChart` of platform sales-order → `charts/sales-order/order-service.ts`, the convention. */
function chartFile(platform: string, chartClass: { readonly name: string }): string {
  const base = chartClass.name.replace(/Chart$/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return `charts/${platform}/${base}.ts`;
}

/** Runs a step of the render; an exception that is not a ConfigError (a bug such as a TypeError) is reported with the file it came from. */
function guarded<T>(envName: string, file: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new ConfigError(
      `environment ${envName}: ${file} failed: ${error}. This is a mistake in the code of the chart (or of a construct it uses), ` +
        'not in the input; run `npx jest` on a test that builds the chart to see where',
    );
  }
}

/**
 * The chart's objects as JSON, in creation order. This is what `chart.toJson()` returns when no construct
 * declares a dependency (none of ours do), without the whole-App dependency resolution and validation pass
 * it runs first, which was a third of the render.
 */
export function chartObjects(chart: Chart): KubeObject[] {
  return chart.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((o) => o.toJson() as KubeObject);
}

/**
 * Builds the constructs of every chart of an environment, handing each chart to `onChart` when it is complete
 * (the platform's registry, which derived charts read, keeps only plain records), and each platform's
 * context, with its complete registry, to `onPlatform` (the diagrams are drawn from it).
 * @returns the charts, unless `onChart` takes them
 */
export function buildEnvironment(
  env: Environment,
  platforms: readonly PlatformDefinition[],
  scopeFor: ScopeFactory = appPerChart,
  onChart?: (built: BuiltChart) => void,
  onPlatform?: (context: PlatformContext) => void,
): BuiltChart[] {
  const known = new Set(platforms.map((p) => p.name));
  for (const name of Object.keys(env.platforms)) {
    if (!known.has(name)) {
      throw new ConfigError(`environment ${env.name}: platforms.${name} is not a platform (platforms: ${[...known].join(', ')}) — see environments/${env.name}.ts`);
    }
  }
  for (const name of Object.keys(env.releases)) {
    if (!known.has(name)) {
      throw new ConfigError({ environment: env.name, file: releaseFileName(env.name) }, `"${name}" is not a platform (platforms: ${[...known].join(', ')})`);
    }
    if (env.platforms[name]?.enabled === false) {
      throw new ConfigError(
        { environment: env.name, file: releaseFileName(env.name) },
        `"${name}" is disabled in environments/${env.name}.ts, so nothing of it runs; remove its releases`,
      );
    }
  }
  const built: BuiltChart[] = [];
  const add = (folder: string, chart: Chart) => {
    const item = { path: `${env.name}/${folder}/${chart.node.id}.yaml`, chart };
    if (onChart) onChart(item);
    else built.push(item);
  };

  // A review environment shares its cluster with the environment it derives from, which owns the cluster's objects.
  if (!env.review) addClusterCharts(env, scopeFor, add);
  else if (Object.keys(env.platforms).length === 0) throw new ConfigError(`environment ${env.name}: a review environment renders no platform`);

  const routes = new RouteRegistry();
  for (const platform of platforms) {
    const settings = env.platforms[platform.name] ?? { enabled: true, services: {}, dataStores: {} };
    if (!settings.enabled) continue;
    const context = new PlatformContext(env, platform.name, settings, routes);
    const chartIn = (id: string) => scopeFor(env.name, platform.name, id);

    const derived = `the render of platform ${platform.name}`;
    const ids = new Map<string, string>();
    const charts: Chart[] = [];
    for (const ChartClass of platform.charts) {
      const file = chartFile(platform.name, ChartClass);
      const chart = guarded(env.name, `${file} (${ChartClass.name})`, () => new ChartClass(chartIn(ChartClass.name), context));
      if (ids.has(chart.node.id) || DERIVED_CHARTS.includes(chart.node.id)) {
        throw new ConfigError(
          { environment: env.name, platform: platform.name, file },
          `two of its charts are named ${chart.node.id} ` +
            `(${ids.get(chart.node.id) ?? 'one the render adds itself'}); each chart id names its own file in dist/, choose another`,
        );
      }
      ids.set(chart.node.id, file);
      charts.push(chart);
    }
    // The collector exists where a service emits traces; it must be registered before references are checked.
    if (context.allComponents.some((c) => c.emitsTraces)) {
      charts.push(guarded(env.name, derived, () => {
        const chart = new PlatformChart(chartIn('tracing'), 'tracing', context);
        new OtelCollector(chart, 'collector', context);
        return chart;
      }));
    }
    context.checkReferences();

    // The namespace follows from what the charts registered (readiness gates for load balancer targets).
    const namespace = guarded(env.name, derived, () => {
      const chart = new PlatformChart(chartIn('namespace'), 'namespace', context);
      new PlatformNamespace(chart, 'namespace', {
        name: context.namespace,
        quota: settings.quota ?? env.namespaceQuota,
        loadBalancerReadinessGates: context.hasLoadBalancerIpTargets,
      });
      return chart;
    });
    add(platform.name, namespace);
    for (const chart of charts) add(platform.name, chart);

    // Restore procedures: one file per store below restore/, which Argo CD does not sync (no recursion).
    for (const { restore } of context.allComponents) {
      if (!restore) continue;
      const chart = guarded(env.name, derived, () => {
        const restoreChart = new PlatformChart(chartIn(`restore-${restore.store}`), restore.store, context);
        new DataStoreRestore(restoreChart, 'restore', env, restore);
        return restoreChart;
      });
      add(`${platform.name}/${RESTORE_FOLDER}`, chart);
    }

    const policies = guarded(env.name, derived, () => {
      const chart = new PlatformChart(chartIn('network-policies'), 'network-policies', context);
      new PlatformNetworkPolicies(chart, 'policies', context);
      return chart;
    });
    add(platform.name, policies);

    const alerts = guarded(env.name, derived, () => {
      const chart = new PlatformChart(chartIn('alerts'), 'alerts', context);
      new PlatformAlerts(chart, 'alerts', context);
      return chart;
    });
    add(platform.name, alerts);

    const dashboard = guarded(env.name, derived, () => {
      const chart = new PlatformChart(chartIn('dashboard'), 'dashboard', context);
      new PlatformDashboard(chart, 'dashboard', context);
      return chart;
    });
    add(platform.name, dashboard);
    onPlatform?.(context);
  }
  return built;
}

/** The cluster-wide objects of an environment's cluster: secret stores, Karpenter's node pool. */
function addClusterCharts(env: Environment, scopeFor: ScopeFactory, add: (folder: string, chart: Chart) => void): void {
  const clusterChart = new Chart(scopeFor(env.name, CLUSTER_FOLDER, 'secret-stores'), 'secret-stores', { disableResourceNameHashes: true });
  new ClusterSecretStores(clusterChart, 'stores', env.cluster);
  add(CLUSTER_FOLDER, clusterChart);

  if (env.addons.karpenter) {
    const nodesChart = new Chart(scopeFor(env.name, CLUSTER_FOLDER, 'karpenter'), 'karpenter', { disableResourceNameHashes: true });
    new KarpenterNodes(nodesChart, 'nodes', { cluster: env.cluster, settings: env.nodePool });
    add(CLUSTER_FOLDER, nodesChart);
  }
}
