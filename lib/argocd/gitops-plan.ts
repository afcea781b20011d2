import type { Environment } from '../../environments/schema';
import { ConfigError } from '../errors';
import type { PlatformDefinition } from '../platform';
import { CLUSTER_FOLDER, type KubeObject, type RenderedFile } from '../kube-object';
import { ADDONS, AddonDefinition, enabledAddons, IgnoredDifference } from '../addons/catalog';
import { crdFolder } from '../addons/render';
import { APP_WAVES } from '../app-waves';
import { groupOf, isClusterScoped, knownKinds } from '../kinds';

/** Where the committed manifests live in the repository Argo CD reads. */
export const DIST_ROOT = 'dist';
export const ARGOCD_ROOT = 'argocd';
/** Project and Application names the plan uses for itself; a platform cannot be called this. */
export const ADDONS_PROJECT = 'addons';
export const BOOTSTRAP_PROJECT = 'bootstrap';
export const ROOT_APPLICATION = 'root';

export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** What one folder of `dist/<env>/` holds, as far as Argo CD cares. */
export interface FolderSummary {
  /** `cluster` or a platform's name. */
  readonly folder: string;
  /** Path in the repository, e.g. `dist/dev/sales-order`. */
  readonly path: string;
  /** Namespaces of its namespaced objects, sorted. */
  readonly namespaces: readonly string[];
  readonly clusterKinds: readonly GroupKind[];
  readonly namespacedKinds: readonly GroupKind[];
  /** `/spec/replicas` of every workload an HPA scales but that still sets replicas. */
  readonly controllerOwnedFields: readonly IgnoredDifference[];
}

export interface ProjectPlan {
  readonly name: string;
  readonly description: string;
  readonly sourceRepos: readonly string[];
  readonly destinationNamespaces: readonly string[];
  readonly clusterKinds: readonly GroupKind[];
  /** Namespaced kinds it may create; `undefined` allows all (Helm charts of add-ons), `[]` none. */
  readonly namespacedKinds?: readonly GroupKind[];
}

/** Every Application syncs a folder of rendered YAML from this repository; none renders Helm in the cluster. */
export interface ApplicationSource {
  readonly type: 'folder';
  readonly path: string;
}

export interface ApplicationPlan {
  readonly name: string;
  readonly project: string;
  readonly wave: number;
  readonly description: string;
  readonly destinationNamespace: string;
  readonly source: ApplicationSource;
  readonly ignoreDifferences: readonly IgnoredDifference[];
  /** Let Argo CD create the destination namespace (add-ons; platforms render their own). */
  readonly createNamespace: boolean;
  /** File below `argocd/<env>/apps/`. */
  readonly file: string;
  /** The platform it deploys, whose team hears of its failures. @default none: the platform team's */
  readonly platform?: string;
}

/** The Argo CD objects of one environment, as data: checked, then synthesised. */
export interface GitOpsPlan {
  readonly env: Environment;
  readonly projects: readonly ProjectPlan[];
  readonly applications: readonly ApplicationPlan[];
}

/**
 * Cluster-scoped kinds the folder of each kind may hold, beyond what it holds today. A project must keep
 * admitting a kind after its last object left the folder: Argo CD ignores live objects of kinds the project
 * denies, so the old object would be neither shown nor pruned (a live HPA would keep scaling).
 */
const PLATFORM_CLUSTER_KINDS: readonly GroupKind[] = [{ group: '', kind: 'Namespace' }];
const CLUSTER_FOLDER_KINDS: readonly GroupKind[] = [
  { group: 'external-secrets.io', kind: 'ClusterSecretStore' },
  { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' },
  { group: 'karpenter.sh', kind: 'NodePool' },
];

const byGroupKind = (a: GroupKind, b: GroupKind) => (`${a.group}/${a.kind}` < `${b.group}/${b.kind}` ? -1 : 1);
const uniqueKinds = (kinds: GroupKind[]): GroupKind[] =>
  [...new Map(kinds.map((k) => [`${k.group}/${k.kind}`, k])).values()].sort(byGroupKind);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
const hasKind = (list: readonly GroupKind[], k: GroupKind) => list.some((x) => x.group === k.group && x.kind === k.kind);

/** Summarises the rendered files of one environment by folder of `dist/<env>/`. */
export function summarizeFolders(env: string, files: readonly RenderedFile[]): Map<string, FolderSummary> {
  const objectsByFolder = new Map<string, { file: string; object: KubeObject }[]>();
  for (const file of files) {
    const [fileEnv, folder] = file.path.split('/');
    if (fileEnv !== env) continue;
    const list = objectsByFolder.get(folder) ?? [];
    list.push(...file.objects.map((object) => ({ file: file.path, object })));
    objectsByFolder.set(folder, list);
  }
  const summaries = new Map<string, FolderSummary>();
  for (const [folder, entries] of [...objectsByFolder].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const clusterKinds: GroupKind[] = [];
    const namespacedKinds: GroupKind[] = [];
    const namespaces: string[] = [];
    for (const { file, object } of entries) {
      const gk = { group: groupOf(object.apiVersion), kind: object.kind };
      if (isClusterScoped(object, file)) {
        clusterKinds.push(gk);
      } else {
        if (!object.metadata.namespace) {
          throw new ConfigError(`${file}: ${object.kind} ${object.metadata.name} has no namespace; set it, so Argo CD does not put it in the Application's destination namespace`);
        }
        namespacedKinds.push(gk);
        namespaces.push(object.metadata.namespace);
      }
    }
    summaries.set(folder, {
      folder,
      path: `${DIST_ROOT}/${env}/${folder}`,
      namespaces: sorted(namespaces),
      clusterKinds: uniqueKinds(clusterKinds),
      namespacedKinds: uniqueKinds(namespacedKinds),
      controllerOwnedFields: hpaOwnedReplicas(entries.map((e) => e.object)),
    });
  }
  return summaries;
}

/**
 * An HPA owns its target's replica count. Our workloads omit `spec.replicas` when an HPA scales them, so this
 * is normally empty; a workload that sets it anyway gets exactly that field ignored, and nothing else.
 */
function hpaOwnedReplicas(objects: readonly KubeObject[]): IgnoredDifference[] {
  type Hpa = { metadata: { namespace?: string }; spec: { scaleTargetRef: { apiVersion?: string; kind: string; name: string } } };
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as Hpa[];
  const fields: IgnoredDifference[] = [];
  for (const o of objects) {
    if ((o as { spec?: { replicas?: number } }).spec?.replicas === undefined) continue;
    const scaled = hpas.some((h) => h.metadata.namespace === o.metadata.namespace && h.spec.scaleTargetRef.kind === o.kind && h.spec.scaleTargetRef.name === o.metadata.name);
    if (scaled) fields.push({ group: groupOf(o.apiVersion), kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace, jsonPointers: ['/spec/replicas'] });
  }
  return fields;
}

/**
 * Plans the Argo CD objects of one environment from its rendered `dist/` files: a project and an Application
 * per platform folder, one for the cluster folder, one per enabled add-on, plus the add-ons' project.
 */
export function planGitOps(env: Environment, files: readonly RenderedFile[], platforms: readonly PlatformDefinition[], addons: readonly AddonDefinition[] = ADDONS): GitOpsPlan {
  const folders = summarizeFolders(env.name, files);
  const repo = env.gitops.repoURL;
  const projects: ProjectPlan[] = [];
  const applications: ApplicationPlan[] = [];

  // Every namespaced kind the model can render (KINDS), not only today's: see PLATFORM_CLUSTER_KINDS.
  const folderProject = (summary: FolderSummary, name: string, description: string, destination: string, clusterKinds: readonly GroupKind[], namespaced: boolean): ProjectPlan => ({
    name,
    description,
    sourceRepos: [repo],
    destinationNamespaces: sorted([...summary.namespaces, destination]),
    clusterKinds: uniqueKinds([...summary.clusterKinds, ...clusterKinds]),
    namespacedKinds: namespaced ? uniqueKinds([...summary.namespacedKinds, ...knownKinds('namespaced')]) : summary.namespacedKinds,
  });

  const cluster = folders.get(CLUSTER_FOLDER);
  if (cluster) {
    // Cluster-scoped objects only, so far; every namespaced one would carry its own namespace.
    const destination = cluster.namespaces.length === 1 ? cluster.namespaces[0] : 'default';
    projects.push(folderProject(cluster, CLUSTER_FOLDER, `Cluster-wide objects of ${env.name} (${cluster.path})`, destination, CLUSTER_FOLDER_KINDS, false));
    applications.push({
      name: CLUSTER_FOLDER,
      project: CLUSTER_FOLDER,
      wave: APP_WAVES.cluster,
      description: 'Cluster-wide objects the platforms share: ClusterSecretStores, Karpenter NodePool',
      destinationNamespace: destination,
      source: { type: 'folder', path: cluster.path },
      ignoreDifferences: cluster.controllerOwnedFields,
      createNamespace: false,
      file: 'cluster.yaml',
    });
  }

  for (const platform of platforms) {
    const summary = folders.get(platform.name);
    if (!summary) continue; // turned off in this environment
    projects.push(folderProject(summary, platform.name, platform.description, platform.name, PLATFORM_CLUSTER_KINDS, true));
    applications.push({
      name: platform.name,
      project: platform.name,
      wave: APP_WAVES.platforms,
      description: platform.description,
      destinationNamespace: platform.name,
      source: { type: 'folder', path: summary.path },
      ignoreDifferences: summary.controllerOwnedFields,
      createNamespace: false,
      file: `platforms/${platform.name}.yaml`,
      platform: platform.name,
    });
  }

  const enabled = enabledAddons(env, addons);
  const addonFolders = enabled.flatMap(({ addon, namespace }) => [
    { name: crdFolder(addon.name), wave: APP_WAVES.crds, namespace, description: `CustomResourceDefinitions of ${addon.name}, synced before every add-on that uses them`, ignore: [] as readonly IgnoredDifference[] },
    { name: addon.name, wave: addon.wave, namespace, description: addon.description, ignore: addon.ignoreDifferences ?? [] },
  ]).flatMap((f) => {
    const summary = folders.get(f.name);
    return summary ? [{ ...f, summary }] : [];
  });
  if (addonFolders.length > 0) {
    projects.push({
      name: ADDONS_PROJECT,
      description: `Cluster add-ons of ${env.name}, rendered from their Helm charts into dist/${env.name}/<add-on>`,
      sourceRepos: [repo],
      destinationNamespaces: sorted(addonFolders.flatMap((f) => [...f.summary.namespaces, f.namespace])),
      // Kinds the add-ons render today plus every kind the model knows, so an object that leaves a folder is
      // still admitted and pruned (see PLATFORM_CLUSTER_KINDS).
      clusterKinds: uniqueKinds([...addonFolders.flatMap((f) => [...f.summary.clusterKinds]), ...knownKinds('cluster')]),
      namespacedKinds: uniqueKinds([...addonFolders.flatMap((f) => [...f.summary.namespacedKinds]), ...knownKinds('namespaced')]),
    });
    for (const f of addonFolders) {
      applications.push({
        name: f.name,
        project: ADDONS_PROJECT,
        wave: f.wave,
        description: f.description,
        destinationNamespace: f.namespace,
        source: { type: 'folder', path: f.summary.path },
        ignoreDifferences: [...f.ignore, ...f.summary.controllerOwnedFields],
        // Each add-on renders its Namespace (with its Pod Security level); kube-system exists already.
        createNamespace: false,
        file: `addons/${f.name}.yaml`,
      });
    }
  }
  return { env, projects, applications };
}

/**
 * Proves the plan is whole before anything is written: every folder of `dist/<env>/` has exactly one
 * Application, every Application points at a folder that exists and is in a project that exists and admits
 * its namespaces and kinds. Reports every problem at once.
 */
export function checkGitOpsPlan(plan: GitOpsPlan, folders: ReadonlyMap<string, FolderSummary>): void {
  const env = plan.env.name;
  const problems: string[] = [];
  const duplicates = (names: string[]) => sorted(names.filter((n, i) => names.indexOf(n) !== i));
  for (const name of duplicates(plan.applications.map((a) => a.name).concat(ROOT_APPLICATION))) {
    problems.push(`two Applications are named '${name}' — rename the platform or the add-on (names 'cluster', '${ROOT_APPLICATION}' and the add-ons' are taken)`);
  }
  for (const name of duplicates(plan.projects.map((p) => p.name).concat(BOOTSTRAP_PROJECT))) {
    problems.push(`two AppProjects are named '${name}' — rename the platform (names '${CLUSTER_FOLDER}', '${ADDONS_PROJECT}' and '${BOOTSTRAP_PROJECT}' are taken)`);
  }

  for (const folder of folders.values()) {
    const apps = plan.applications.filter((a) => a.source.path === folder.path);
    if (apps.length === 0) problems.push(`${folder.path} has no Application, so Argo CD would never sync it — add it to the platforms in charts/index.ts`);
    if (apps.length > 1) problems.push(`${folder.path} has ${apps.length} Applications (${apps.map((a) => a.name).join(', ')}); exactly one may own it`);
  }

  for (const app of plan.applications) {
    const project = plan.projects.find((p) => p.name === app.project);
    const folder = [...folders.values()].find((f) => f.path === app.source.path);
    if (!folder) {
      problems.push(`Application ${app.name} points at ${app.source.path}, which the render does not produce — render the folder or remove the Application`);
    }
    if (!project) {
      problems.push(`Application ${app.name} is in no project: project '${app.project}' is not rendered for ${env} — add an AppProject for it`);
      continue;
    }
    if (!project.destinationNamespaces.includes(app.destinationNamespace)) {
      problems.push(`Application ${app.name}: project ${project.name} does not admit its destination namespace ${app.destinationNamespace}`);
    }
    if (!folder) continue;
    const deniedNamespaces = folder.namespaces.filter((n) => !project.destinationNamespaces.includes(n));
    if (deniedNamespaces.length > 0) {
      problems.push(`Application ${app.name}: project ${project.name} does not admit namespace(s) ${deniedNamespaces.join(', ')} used in ${folder.path}`);
    }
    const deniedCluster = folder.clusterKinds.filter((k) => !hasKind(project.clusterKinds, k));
    if (deniedCluster.length > 0) {
      problems.push(`Application ${app.name}: project ${project.name} may not create cluster-scoped ${deniedCluster.map((k) => `${k.group || 'core'}/${k.kind}`).join(', ')} found in ${folder.path}`);
    }
    const allowed = project.namespacedKinds;
    const deniedNamespaced = allowed ? folder.namespacedKinds.filter((k) => !hasKind(allowed, k)) : [];
    if (deniedNamespaced.length > 0) {
      problems.push(`Application ${app.name}: project ${project.name} may not create ${deniedNamespaced.map((k) => `${k.group || 'core'}/${k.kind}`).join(', ')} found in ${folder.path}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`environment ${env}: the Argo CD model is broken, ${ARGOCD_ROOT}/${env} not rendered:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
