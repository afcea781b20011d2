// The status a kubelet, the workload controllers and the add-on operators would write, for a cluster that runs
// no container. It only ever writes the `status` of workload and add-on objects (never spec, never anything of
// Argo CD: no argoproj.io kind is in its list; Argo CD's own Deployments stand for the processes this check runs), and only what the real owner
// would report once the object works:
//   Deployment / StatefulSet   all replicas ready and updated at the current generation (kubelet + controller)
//   DaemonSet                  one node, its pod ready and updated (kubelet + daemonset controller)
//   Job                        completed: one run succeeded (kubelet + job controller)
//   Prometheus / Alertmanager  Available and Reconciled (Prometheus Operator)
//   HorizontalPodAutoscaler    AbleToScale, current = desired = the target's replicas (HPA + metrics-server)
//   Ingress / LoadBalancer Service   a load balancer hostname (AWS Load Balancer Controller)
//   PersistentVolumeClaim      Bound (EBS CSI provisioner)
//   ClusterSecretStore / SecretStore   Ready (External Secrets)
//   ExternalSecret             Ready when its store exists and is Ready, else Ready=False naming the store
//   EC2NodeClass               Ready (Karpenter)
//   NodePool                   Ready when its EC2NodeClass exists and is Ready, else Ready=False (Karpenter)
import type { Kube, KObject } from './kube';
import { Repeat } from './repeat';

interface Resource {
  /** Collection across all namespaces (or cluster-scoped). */
  list: string;
  /** Path of one object's status subresource. */
  status: (o: KObject) => string;
  /** The status to report, or undefined when what is there already says it. */
  desired: (o: KObject, world: World) => KObject | undefined;
}

interface World {
  stores: Map<string, KObject>;
  nodeClasses: Map<string, KObject>;
}

const ns = (o: KObject) => o.metadata.namespace as string;
const name = (o: KObject) => o.metadata.name as string;
const core = (plural: string) => ({
  list: `/api/v1/${plural}`,
  status: (o: KObject) => `/api/v1/namespaces/${ns(o)}/${plural}/${name(o)}/status`,
});
const namespaced = (group: string, version: string, plural: string) => ({
  list: `/apis/${group}/${version}/${plural}`,
  status: (o: KObject) => `/apis/${group}/${version}/namespaces/${ns(o)}/${plural}/${name(o)}/status`,
});
const clusterScoped = (group: string, version: string, plural: string) => ({
  list: `/apis/${group}/${version}/${plural}`,
  status: (o: KObject) => `/apis/${group}/${version}/${plural}/${name(o)}/status`,
});

const EPOCH = '2020-01-01T00:00:00Z';
const condition = (type: string, ready: boolean, reason: string, message: string) => ({ type, status: ready ? 'True' : 'False', reason, message, lastTransitionTime: EPOCH });
const hasCondition = (o: KObject, type: string, status: string, message?: string) =>
  (o.status?.conditions ?? []).some((c: KObject) => c.type === type && c.status === status && (message === undefined || c.message === message));
const readyStatus = (o: KObject, ready: boolean, reason: string, message: string) =>
  hasCondition(o, 'Ready', ready ? 'True' : 'False', message) && o.status?.observedGeneration === o.metadata.generation
    ? undefined
    : { observedGeneration: o.metadata.generation, conditions: [condition('Ready', ready, reason, message)] };
const lbHostname = (o: KObject) => `${name(o)}-${ns(o)}.elb.us-east-1.amazonaws.com`;

const RESOURCES: Resource[] = [
  {
    ...namespaced('apps', 'v1', 'deployments'),
    desired: (o) => {
      const n = o.spec.replicas ?? 1;
      const s = o.status ?? {};
      if (s.observedGeneration === o.metadata.generation && s.readyReplicas === n && s.updatedReplicas === n && s.availableReplicas === n && s.replicas === n) return undefined;
      return {
        observedGeneration: o.metadata.generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n,
        conditions: [
          condition('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
          condition('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${name(o)}" has successfully progressed.`),
        ],
      };
    },
  },
  {
    ...namespaced('apps', 'v1', 'statefulsets'),
    desired: (o) => {
      const n = o.spec.replicas ?? 1;
      const s = o.status ?? {};
      const revision = `${name(o)}-${o.metadata.generation}`;
      if (s.observedGeneration === o.metadata.generation && s.readyReplicas === n && s.updatedReplicas === n && s.currentRevision === revision) return undefined;
      return {
        observedGeneration: o.metadata.generation, replicas: n, readyReplicas: n, currentReplicas: n, updatedReplicas: n, availableReplicas: n,
        currentRevision: revision, updateRevision: revision,
      };
    },
  },
  {
    ...namespaced('apps', 'v1', 'daemonsets'),
    desired: (o) => {
      const s = o.status ?? {};
      if (s.observedGeneration === o.metadata.generation && s.numberReady === 1 && s.updatedNumberScheduled === 1 && s.numberAvailable === 1) return undefined;
      return { observedGeneration: o.metadata.generation, currentNumberScheduled: 1, desiredNumberScheduled: 1, numberMisscheduled: 0, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1 };
    },
  },
  {
    ...namespaced('batch', 'v1', 'jobs'),
    desired: (o) => {
      if (hasCondition(o, 'Complete', 'True')) return undefined;
      const n = o.spec.completions ?? 1;
      return {
        startTime: EPOCH, completionTime: EPOCH, active: 0, ready: 0, succeeded: n, failed: 0,
        // The API server accepts Complete only after SuccessCriteriaMet, as the job controller writes them.
        conditions: [condition('SuccessCriteriaMet', true, 'CompletionsReached', 'Reached expected number of succeeded pods'), condition('Complete', true, 'CompletionsReached', 'Reached expected number of succeeded pods')],
      };
    },
  },
  ...(['prometheuses', 'alertmanagers'] as const).map((plural) => ({
    ...namespaced('monitoring.coreos.com', 'v1', plural),
    desired: (o: KObject) =>
      hasCondition(o, 'Available', 'True') && o.status?.conditions?.[0]?.observedGeneration === o.metadata.generation
        ? undefined
        : {
            replicas: o.spec.replicas ?? 1, availableReplicas: o.spec.replicas ?? 1, updatedReplicas: o.spec.replicas ?? 1, unavailableReplicas: 0, paused: false,
            conditions: ['Available', 'Reconciled'].map((type) => ({ ...condition(type, true, '', ''), observedGeneration: o.metadata.generation })),
          },
  })),
  {
    ...namespaced('autoscaling', 'v2', 'horizontalpodautoscalers'),
    desired: (o) => {
      const n = o.spec.minReplicas ?? 1;
      if (hasCondition(o, 'AbleToScale', 'True') && o.status?.observedGeneration === o.metadata.generation) return undefined;
      return {
        observedGeneration: o.metadata.generation, currentReplicas: n, desiredReplicas: n,
        conditions: [
          condition('AbleToScale', true, 'ReadyForNewScale', 'recommended size matches current size'),
          condition('ScalingActive', true, 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count'),
        ],
      };
    },
  },
  {
    ...namespaced('networking.k8s.io', 'v1', 'ingresses'),
    desired: (o) => (o.status?.loadBalancer?.ingress?.length ? undefined : { loadBalancer: { ingress: [{ hostname: lbHostname(o) }] } }),
  },
  {
    ...core('services'),
    desired: (o) => (o.spec.type !== 'LoadBalancer' || o.status?.loadBalancer?.ingress?.length ? undefined : { loadBalancer: { ingress: [{ hostname: lbHostname(o) }] } }),
  },
  { ...core('persistentvolumeclaims'), desired: (o) => (o.status?.phase === 'Bound' ? undefined : { phase: 'Bound', accessModes: o.spec.accessModes, capacity: o.spec.resources?.requests ?? {} }) },
  { ...clusterScoped('external-secrets.io', 'v1', 'clustersecretstores'), desired: (o) => readyStatus(o, true, 'Valid', 'store validated') },
  { ...namespaced('external-secrets.io', 'v1', 'secretstores'), desired: (o) => readyStatus(o, true, 'Valid', 'store validated') },
  {
    ...namespaced('external-secrets.io', 'v1', 'externalsecrets'),
    desired: (o, world) => {
      const ref = o.spec.secretStoreRef ?? {};
      const key = ref.kind === 'ClusterSecretStore' ? `ClusterSecretStore/${ref.name}` : `SecretStore/${ns(o)}/${ref.name}`;
      const store = world.stores.get(key);
      const ok = store !== undefined && hasCondition(store, 'Ready', 'True');
      return readyStatus(o, ok, ok ? 'SecretSynced' : 'SecretSyncedError', ok ? 'secret synced' : `${ref.kind ?? 'SecretStore'} "${ref.name}" is not ready`);
    },
  },
  { ...clusterScoped('karpenter.k8s.aws', 'v1', 'ec2nodeclasses'), desired: (o) => readyStatus(o, true, 'Ready', '') },
  {
    ...clusterScoped('karpenter.sh', 'v1', 'nodepools'),
    desired: (o, world) => {
      const ref = o.spec.template?.spec?.nodeClassRef ?? {};
      const nodeClass = world.nodeClasses.get(ref.name);
      const ok = nodeClass !== undefined && hasCondition(nodeClass, 'Ready', 'True');
      return readyStatus(o, ok, ok ? 'Ready' : 'NodeClassNotReady', ok ? '' : `NodeClassReady=False: EC2NodeClass "${ref.name}" not found or not ready`);
    },
  },
];

/** Runs until stopped, a pass every `intervalMs`. */
export class StatusWriter {
  private readonly repeat: Repeat;
  /** Objects whose status was written, `<list path>` → count. */
  readonly writes = new Map<string, number>();

  constructor(private readonly kube: Kube, intervalMs = 1_000) {
    this.repeat = new Repeat(() => this.once(), intervalMs);
  }

  /** Why the last pass failed, if it did. */
  get lastError(): string | undefined {
    return this.repeat.lastError;
  }

  start(): void {
    this.repeat.start();
  }

  stop(): void {
    this.repeat.stop();
  }

  /** One pass over every kind. Stores and node classes first, so their users see them in the same pass. */
  async once(): Promise<void> {
    const world: World = { stores: new Map(), nodeClasses: new Map() };
    for (const r of RESOURCES) {
      const items = await this.kube.list(r.list);
      for (const o of items) {
        if (o.metadata.deletionTimestamp) continue;
        const status = r.desired(o, world);
        let current = o;
        if (status !== undefined) {
          const res = await this.kube.mergePatch(r.status(o), { status });
          if (res.status === 200) {
            current = res.body;
            this.writes.set(r.list, (this.writes.get(r.list) ?? 0) + 1);
          } else if (res.status !== 404 && res.status !== 409) {
            throw new Error(`status of ${o.kind} ${o.metadata.namespace ?? ''}/${name(o)}: ${res.status} ${res.body?.message ?? ''}`);
          }
        }
        if (o.kind === 'ClusterSecretStore') world.stores.set(`ClusterSecretStore/${name(o)}`, current);
        if (o.kind === 'SecretStore') world.stores.set(`SecretStore/${ns(o)}/${name(o)}`, current);
        if (o.kind === 'EC2NodeClass') world.nodeClasses.set(name(o), current);
      }
    }
  }
}
