import { ConfigError } from './errors';
import type { KubeObject } from './kube-object';

/** The annotation Argo CD orders a sync by: lower waves are applied, and must be healthy, before higher ones. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * Sync waves of what `dist/` renders, in the order a platform comes up: namespace and its guard rails,
 * then configuration and secrets (an ExternalSecret is healthy only once its Secret exists), then the data
 * stores, then the services that use them, and the ways in from outside last.
 */
export const WAVES = {
  /** Namespaces and cluster-wide definitions everything else lives in or refers to. */
  foundation: -3,
  /** Quotas, identities, RBAC, NetworkPolicies, secret stores, node classes. */
  guardRails: -2,
  /** ConfigMaps, ExternalSecrets, volumes, in-cluster Services, PDBs, monitoring rules. */
  config: -1,
  /** Data stores: StatefulSets. */
  data: 0,
  /** Stateless workloads and their autoscalers. */
  services: 1,
  /** Ingresses and load balancers; admission webhooks and aggregated APIs, once the pods serving them run. */
  ingress: 2,
} as const;

type Wave = (typeof WAVES)[keyof typeof WAVES];

interface KindInfo {
  /** Is the kind cluster-scoped? Decides what an AppProject must whitelist. */
  readonly cluster: boolean;
  readonly wave: Wave;
}

const namespaced = (wave: Wave): KindInfo => ({ cluster: false, wave });
const clusterWide = (wave: Wave): KindInfo => ({ cluster: true, wave });

/**
 * Every kind the render may produce, keyed `<group>/<Kind>` (core group empty). A kind that is missing is
 * a render error: its sync wave and its scope (which decides the AppProject's whitelist) are decisions,
 * not defaults.
 */
const KINDS: Readonly<Record<string, KindInfo>> = {
  '/Namespace': clusterWide(WAVES.foundation),
  'apiextensions.k8s.io/CustomResourceDefinition': clusterWide(WAVES.foundation),
  'storage.k8s.io/StorageClass': clusterWide(WAVES.foundation),
  'scheduling.k8s.io/PriorityClass': clusterWide(WAVES.foundation),
  'networking.k8s.io/IngressClass': clusterWide(WAVES.foundation),
  'rbac.authorization.k8s.io/ClusterRole': clusterWide(WAVES.foundation),
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterWide(WAVES.foundation),
  'karpenter.k8s.aws/EC2NodeClass': clusterWide(WAVES.foundation),
  'elbv2.k8s.aws/IngressClassParams': clusterWide(WAVES.foundation),
  'cert-manager.io/ClusterIssuer': clusterWide(WAVES.guardRails),
  'external-secrets.io/ClusterSecretStore': clusterWide(WAVES.guardRails),
  'karpenter.sh/NodePool': clusterWide(WAVES.guardRails),
  // A webhook or an aggregated API registered before its pods are ready would fail every request it intercepts.
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': clusterWide(WAVES.ingress),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': clusterWide(WAVES.ingress),
  'apiregistration.k8s.io/APIService': clusterWide(WAVES.ingress),

  '/ResourceQuota': namespaced(WAVES.guardRails),
  '/LimitRange': namespaced(WAVES.guardRails),
  '/ServiceAccount': namespaced(WAVES.guardRails),
  'rbac.authorization.k8s.io/Role': namespaced(WAVES.guardRails),
  'rbac.authorization.k8s.io/RoleBinding': namespaced(WAVES.guardRails),
  'networking.k8s.io/NetworkPolicy': namespaced(WAVES.guardRails),
  'external-secrets.io/SecretStore': namespaced(WAVES.guardRails),
  'cert-manager.io/Issuer': namespaced(WAVES.guardRails),

  '/ConfigMap': namespaced(WAVES.config),
  '/Secret': namespaced(WAVES.config),
  'external-secrets.io/ExternalSecret': namespaced(WAVES.config),
  'cert-manager.io/Certificate': namespaced(WAVES.config),
  '/PersistentVolumeClaim': namespaced(WAVES.config),
  '/Service': namespaced(WAVES.config),
  'policy/PodDisruptionBudget': namespaced(WAVES.config),
  'monitoring.coreos.com/ServiceMonitor': namespaced(WAVES.config),
  'monitoring.coreos.com/PodMonitor': namespaced(WAVES.config),
  'monitoring.coreos.com/PrometheusRule': namespaced(WAVES.config),
  'monitoring.coreos.com/Probe': namespaced(WAVES.config),
  'monitoring.coreos.com/AlertmanagerConfig': namespaced(WAVES.config),
  'monitoring.coreos.com/Prometheus': namespaced(WAVES.data),
  'monitoring.coreos.com/Alertmanager': namespaced(WAVES.data),

  'apps/StatefulSet': namespaced(WAVES.data),

  'apps/Deployment': namespaced(WAVES.services),
  'apps/DaemonSet': namespaced(WAVES.services),
  'batch/Job': namespaced(WAVES.services),
  'batch/CronJob': namespaced(WAVES.services),
  'autoscaling/HorizontalPodAutoscaler': namespaced(WAVES.services),

  'networking.k8s.io/Ingress': namespaced(WAVES.ingress),
  'elbv2.k8s.aws/TargetGroupBinding': namespaced(WAVES.ingress),
};

/** Every kind of KINDS of the given scope, as group and kind, sorted. */
export function knownKinds(scope: 'cluster' | 'namespaced'): { group: string; kind: string }[] {
  return Object.entries(KINDS)
    .filter(([, info]) => info.cluster === (scope === 'cluster'))
    .map(([key]) => ({ group: key.slice(0, key.indexOf('/')), kind: key.slice(key.indexOf('/') + 1) }))
    .sort((a, b) => (`${a.group}/${a.kind}` < `${b.group}/${b.kind}` ? -1 : 1));
}

/** `apps/v1` → `apps`, `v1` → `` (the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

function infoOf(o: KubeObject, where: string): KindInfo {
  const key = `${groupOf(o.apiVersion)}/${o.kind}`;
  const info = KINDS[key];
  if (!info) {
    throw new ConfigError(
      `${where}: ${o.kind} ${o.metadata.name} (${o.apiVersion}) has no sync wave — add '${key}' to KINDS in lib/kinds.ts ` +
        '(its wave and whether it is cluster-scoped)',
    );
  }
  return info;
}

/** Is the object's kind cluster-scoped? */
export function isClusterScoped(o: KubeObject, where: string): boolean {
  return infoOf(o, where).cluster;
}

/**
 * The object's sync wave: by kind, except that a Service of type LoadBalancer is a way in from outside and
 * comes last with the Ingresses. An object that already carries a wave keeps it.
 */
export function syncWaveOf(o: KubeObject, where: string): number {
  const set = o.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  if (set !== undefined) {
    if (!/^-?\d+$/.test(set)) throw new ConfigError(`${where}: ${o.kind} ${o.metadata.name}: ${SYNC_WAVE_ANNOTATION} must be an integer, got '${set}'`);
    return Number(set);
  }
  const info = infoOf(o, where);
  if (o.kind === 'Service' && (o as { spec?: { type?: string } }).spec?.type === 'LoadBalancer') return WAVES.ingress;
  return info.wave;
}

const sortKeys = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;

/**
 * The objects of one rendered file with their `argocd.argoproj.io/sync-wave` annotation. Pure: returns new
 * objects, keys stay sorted as cdk8s emits them.
 * @param where the file, for messages, e.g. `dev/sales-order/customer-service.yaml`
 */
export function withSyncWaves(objects: readonly KubeObject[], where: string): KubeObject[] {
  return objects.map((o) => {
    const wave = String(syncWaveOf(o, where));
    const annotations = sortKeys({ ...(o.metadata.annotations ?? {}), [SYNC_WAVE_ANNOTATION]: wave });
    return { ...o, metadata: sortKeys({ ...o.metadata, annotations }) };
  });
}
