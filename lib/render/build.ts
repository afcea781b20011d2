import { ApiObject, App, Chart, NumberStringUnionResolver } from 'cdk8s';
import { Construct } from 'constructs';
import { releaseFileName } from '../../environments/releases';
import type { Environment } from '../../environments/schema';
import { withSyncWaves } from '../argocd/kinds';
import { KarpenterNodes } from '../argocd/karpenter-nodes';
import { ClusterSecretStores } from '../cluster-secret-stores';
import { ConfigError } from '../errors';
import type { PlatformDefinition } from '../platform';
import { PlatformChart } from '../platform-chart';
import { PlatformContext, RouteRegistry } from '../platform-context';
import { PlatformNamespace } from '../platform-namespace';
import { PlatformNetworkPolicies } from '../network-policies';
import { PlatformAlerts } from '../platform-alerts';
import type { KubeObject, RenderedFile } from './kube-object';

/** Folder of `dist/<env>/` for what belongs to the whole cluster rather than to one platform. */
export const CLUSTER_FOLDER = 'cluster';

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
 * sync wave (lib/argocd/kinds.ts). Pure: writes nothing.
 */
export function renderEnvironment(env: Environment, platforms: readonly PlatformDefinition[], scopeFor: ScopeFactory = appPerChart): RenderedFile[] {
  const files: RenderedFile[] = [];
  // Each chart becomes JSON as soon as it is built, so its construct tree (an App each) can be collected:
  // memory stays at the size of the output, not of every construct of the environment.
  buildEnvironment(env, platforms, scopeFor, ({ path, chart }) => files.push({ path, objects: withSyncWaves(chartObjects(chart), path) }));
  return files;
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
 * (the platform's registry, which derived charts read, keeps only plain records).
 * @returns the charts, unless `onChart` takes them
 */
export function buildEnvironment(
  env: Environment,
  platforms: readonly PlatformDefinition[],
  scopeFor: ScopeFactory = appPerChart,
  onChart?: (built: BuiltChart) => void,
): BuiltChart[] {
  const known = new Set(platforms.map((p) => p.name));
  for (const name of Object.keys(env.platforms)) {
    if (!known.has(name)) {
      throw new ConfigError(`environment ${env.name}: platforms.${name} is not a platform (platforms: ${[...known].join(', ')}) — see environments/${env.name}.ts`);
    }
  }
  for (const name of Object.keys(env.releases)) {
    if (!known.has(name)) {
      throw new ConfigError(`environment ${env.name}: ${releaseFileName(env.name)}: "${name}" is not a platform (platforms: ${[...known].join(', ')})`);
    }
    if (env.platforms[name]?.enabled === false) {
      throw new ConfigError(
        `environment ${env.name}: ${releaseFileName(env.name)}: "${name}" is disabled in environments/${env.name}.ts, so nothing of it runs; remove its releases`,
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

    const namespace = new PlatformChart(chartIn('namespace'), 'namespace', context);
    new PlatformNamespace(namespace, 'namespace', { name: context.namespace, quota: settings.quota ?? env.namespaceQuota });
    add(platform.name, namespace);

    const ids = new Set<string>();
    for (const ChartClass of platform.charts) {
      const chart = new ChartClass(chartIn(ChartClass.name), context);
      if (ids.has(chart.node.id) || ['namespace', 'network-policies', 'alerts'].includes(chart.node.id)) {
        throw new ConfigError(`environment ${env.name}: platform ${platform.name} has two charts named ${chart.node.id}`);
      }
      ids.add(chart.node.id);
      add(platform.name, chart);
    }
    context.checkReferences();

    const policies = new PlatformChart(chartIn('network-policies'), 'network-policies', context);
    new PlatformNetworkPolicies(policies, 'policies', context);
    add(platform.name, policies);

    const alerts = new PlatformChart(chartIn('alerts'), 'alerts', context);
    new PlatformAlerts(alerts, 'alerts', context);
    add(platform.name, alerts);
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
