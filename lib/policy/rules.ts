import type { KubeObject } from '../kube-object';

/** Everything a rule sees: the objects of one environment, with the file each came from. */
export interface PolicyInput {
  readonly environment: string;
  /** Images must be digests or MAJOR.MINOR.PATCH tags. */
  readonly immutableImages: boolean;
  readonly objects: readonly { readonly file: string; readonly object: KubeObject }[];
}

export interface Finding {
  readonly file: string;
  readonly object: KubeObject;
  readonly message: string;
}

export interface PolicyRule {
  /** Short id, also the suffix of the opt-out annotation. */
  readonly id: string;
  readonly description: string;
  check(input: PolicyInput): Finding[];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);
const CONTROLLER_LABELS = new Set(['statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index']);

interface Workload {
  readonly file: string;
  readonly object: KubeObject;
  readonly podSpec: Any;
  readonly podLabels: Record<string, string>;
}

function workloads(input: PolicyInput): Workload[] {
  return input.objects.flatMap(({ file, object }) => {
    if (!WORKLOAD_KINDS.has(object.kind)) return [];
    const o = object as Any;
    const template = object.kind === 'Pod' ? o : object.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
    return [{ file, object, podSpec: template?.spec ?? {}, podLabels: template?.metadata?.labels ?? {} }];
  });
}

const containersOf = (spec: Any): Any[] => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const ns = (o: KubeObject) => o.metadata.namespace ?? '';

/**
 * Label-based lookups without scanning every object for every object: rules over thousands of services
 * stay linear. `byLabels` finds items whose labels include a selector; `bySelector` finds the items whose
 * selector matches given labels.
 */
class LabelIndex<T> {
  private readonly buckets = new Map<string, T[]>();

  private constructor(
    private readonly namespaceOf: (t: T) => string,
    private readonly labelsOf: (t: T) => Record<string, string>,
  ) {}

  /** Files each item under every one of its labels. */
  public static byLabels<T>(items: readonly T[], namespaceOf: (t: T) => string, labelsOf: (t: T) => Record<string, string>): LabelIndex<T> {
    const index = new LabelIndex(namespaceOf, labelsOf);
    for (const item of items) for (const [k, v] of Object.entries(labelsOf(item))) index.add(`${namespaceOf(item)}\0${k}=${v}`, item);
    return index;
  }

  /** Files each item under the first entry of its selector (an empty selector under its namespace). */
  public static bySelector<T>(items: readonly T[], namespaceOf: (t: T) => string, selectorOf: (t: T) => Record<string, string>): LabelIndex<T> {
    const index = new LabelIndex(namespaceOf, selectorOf);
    for (const item of items) {
      const first = Object.entries(selectorOf(item))[0];
      index.add(first ? `${namespaceOf(item)}\0${first[0]}=${first[1]}` : `${namespaceOf(item)}\0`, item);
    }
    return index;
  }

  /** Items (indexed by labels) whose labels include every entry of `selector`. */
  public including(namespace: string, selector: Record<string, string>): T[] {
    const first = Object.entries(selector)[0];
    if (!first) return [];
    return (this.buckets.get(`${namespace}\0${first[0]}=${first[1]}`) ?? []).filter((t) => matches(selector, this.labelsOf(t)));
  }

  /** Items (indexed by selector) whose selector matches `labels`; an empty selector matches everything. */
  public selecting(namespace: string, labels: Record<string, string>): T[] {
    const candidates = [
      ...(this.buckets.get(`${namespace}\0`) ?? []),
      ...Object.entries(labels).flatMap(([k, v]) => this.buckets.get(`${namespace}\0${k}=${v}`) ?? []),
    ];
    return [...new Set(candidates)].filter((t) => this.namespaceOf(t) === namespace && matches(this.labelsOf(t), labels));
  }

  private add(key: string, item: T): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.push(item);
    else this.buckets.set(key, [item]);
  }
}

export const restrictedSecurityContext: PolicyRule = {
  id: 'restricted-security-context',
  description: 'pods meet the restricted Pod Security Standard and have a read-only root filesystem',
  check: (input) =>
    workloads(input).flatMap(({ file, object, podSpec }) => {
      const problems: string[] = [];
      const pod = podSpec.securityContext ?? {};
      if (podSpec.hostNetwork || podSpec.hostPID || podSpec.hostIPC) problems.push('uses host namespaces');
      if ((podSpec.volumes ?? []).some((v: Any) => v.hostPath)) problems.push('mounts a hostPath volume');
      for (const c of containersOf(podSpec)) {
        const sc = c.securityContext ?? {};
        const where = `container ${c.name}`;
        if (!(sc.runAsNonRoot ?? pod.runAsNonRoot)) problems.push(`${where}: runAsNonRoot is not true`);
        if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push(`${where}: runs as uid 0`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
        if (sc.privileged) problems.push(`${where}: is privileged`);
        if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
        if ((sc.capabilities?.add ?? []).some((cap: string) => cap !== 'NET_BIND_SERVICE')) problems.push(`${where}: adds capabilities`);
        const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: seccompProfile is not RuntimeDefault`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      }
      return problems.map((message) => ({ file, object, message }));
    }),
};

export const probes: PolicyRule = {
  id: 'probes',
  description: 'every long-running container has readiness and liveness probes',
  check: (input) =>
    workloads(input)
      .filter(({ object }) => object.kind !== 'Job' && object.kind !== 'CronJob')
      .flatMap(({ file, object, podSpec }) =>
        (podSpec.containers ?? []).flatMap((c: Any) => [
          ...(c.readinessProbe ? [] : [{ file, object, message: `container ${c.name} has no readinessProbe` }]),
          ...(c.livenessProbe ? [] : [{ file, object, message: `container ${c.name} has no livenessProbe` }]),
        ]),
      ),
};

export const resources: PolicyRule = {
  id: 'resources',
  description: 'every container requests CPU and memory and has a memory limit',
  check: (input) =>
    workloads(input).flatMap(({ file, object, podSpec }) =>
      containersOf(podSpec).flatMap((c: Any) => {
        const missing = [
          ...(c.resources?.requests?.cpu ? [] : ['requests.cpu']),
          ...(c.resources?.requests?.memory ? [] : ['requests.memory']),
          ...(c.resources?.limits?.memory ? [] : ['limits.memory']),
        ];
        return missing.length ? [{ file, object, message: `container ${c.name} has no ${missing.join(', ')}` }] : [];
      }),
    ),
};

export const disruptionBudget: PolicyRule = {
  id: 'pod-disruption-budget',
  description: 'a workload that can run more than one replica has a PodDisruptionBudget',
  check: (input) => {
    const pdbs = LabelIndex.bySelector<Any>(
      input.objects.filter(({ object }) => object.kind === 'PodDisruptionBudget').map(({ object }) => object as Any),
      ns, (p) => p.spec.selector?.matchLabels ?? {});
    const hpas = new Map(input.objects.filter(({ object }) => object.kind === 'HorizontalPodAutoscaler')
      .map(({ object }) => [`${ns(object)}/${(object as Any).spec.scaleTargetRef.kind}/${(object as Any).spec.scaleTargetRef.name}`, object as Any]));
    return workloads(input)
      .filter(({ object }) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
      .flatMap(({ file, object, podLabels }) => {
        const hpa = hpas.get(`${ns(object)}/${object.kind}/${object.metadata.name}`);
        const max = hpa ? hpa.spec.maxReplicas : ((object as Any).spec.replicas ?? 1);
        if (max <= 1) return [];
        const covered = pdbs.selecting(ns(object), podLabels).length > 0;
        return covered ? [] : [{ file, object, message: `runs up to ${max} replicas but no PodDisruptionBudget selects its pods` }];
      });
  },
};

export const noCpuLimitDefaults: PolicyRule = {
  id: 'no-cpu-limit-defaults',
  description: 'no namespace caps CPU behind a container\'s back: no LimitRange default or max CPU limit, no quota on limits.cpu',
  check: (input) =>
    input.objects.flatMap(({ file, object }) => {
      const o = object as Any;
      if (object.kind === 'LimitRange') {
        return (o.spec?.limits ?? []).flatMap((l: Any) => ['default', 'max', 'maxLimitRequestRatio']
          .filter((field) => l[field]?.cpu !== undefined)
          .map((field) => ({ file, object, message: `limits of type ${l.type} set ${field}.cpu (${l[field].cpu}): every container without a CPU limit of its own would get one` })));
      }
      if (object.kind === 'ResourceQuota' && o.spec?.hard?.['limits.cpu'] !== undefined) {
        return [{ file, object, message: `hard limits.cpu (${o.spec.hard['limits.cpu']}) forces a CPU limit on every pod; bound requests.cpu instead` }];
      }
      return [];
    }),
};

export const singletonDoNotDisrupt: PolicyRule = {
  id: 'singleton-do-not-disrupt',
  description: 'a single-member StatefulSet, or a Deployment recreated rather than surged (state in memory), carries karpenter.sh/do-not-disrupt',
  check: (input) =>
    workloads(input)
      .filter(({ object }) => (object.kind === 'StatefulSet' && ((object as Any).spec.replicas ?? 1) === 1)
        || (object.kind === 'Deployment' && (object as Any).spec.strategy?.type === 'Recreate'))
      .filter(({ object }) => (object as Any).spec.template?.metadata?.annotations?.['karpenter.sh/do-not-disrupt'] !== 'true')
      .map(({ file, object }) => ({
        file, object,
        message: `${object.kind === 'StatefulSet' ? 'runs a single member' : 'is recreated on update (its state cannot be surged)'} but its pods lack the annotation karpenter.sh/do-not-disrupt: "true", so Karpenter may consolidate it away`,
      })),
};

export const pdbUnhealthyEviction: PolicyRule = {
  id: 'pdb-unhealthy-eviction',
  description: 'every PodDisruptionBudget lets unhealthy pods be evicted (unhealthyPodEvictionPolicy: AlwaysAllow)',
  check: (input) =>
    input.objects
      .filter(({ object }) => object.kind === 'PodDisruptionBudget' && (object as Any).spec?.unhealthyPodEvictionPolicy !== 'AlwaysAllow')
      .map(({ file, object }) => ({ file, object, message: `unhealthyPodEvictionPolicy is ${(object as Any).spec?.unhealthyPodEvictionPolicy ?? 'unset (IfHealthyBudget)'}: a crash-looping pod would block every node drain; set AlwaysAllow` })),
};

/** A Service or Ingress through which an AWS load balancer reaches pods, as the controller reads it. */
interface LoadBalancerFront {
  readonly object: KubeObject;
  readonly services: readonly string[];
  readonly targetType: string;
  readonly deregistrationDelay: number;
}

/** Seconds in a `deregistration_delay.timeout_seconds=N` target group attribute; AWS's default is 300. */
function deregistrationDelay(attributes: string | undefined): number {
  const match = /deregistration_delay\.timeout_seconds=(\d+)/.exec(attributes ?? '');
  return match ? Number(match[1]) : 300;
}

function loadBalancerFronts(input: PolicyInput): LoadBalancerFront[] {
  return input.objects.flatMap(({ object }) => {
    const o = object as Any;
    const a: Record<string, string> = object.metadata.annotations ?? {};
    if (object.kind === 'Service' && o.spec?.type === 'LoadBalancer' && (o.spec.loadBalancerClass === 'service.k8s.aws/nlb' || a['service.beta.kubernetes.io/aws-load-balancer-type'] === 'external')) {
      return [{ object, services: [object.metadata.name], targetType: a['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] ?? 'instance', deregistrationDelay: deregistrationDelay(a['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes']) }];
    }
    if (object.kind === 'Ingress' && o.spec?.ingressClassName === 'alb') {
      const services = (o.spec.rules ?? []).flatMap((r: Any) => (r.http?.paths ?? []).map((p: Any) => p.backend?.service?.name)).filter(Boolean);
      return [{ object, services: [...new Set<string>(services)], targetType: a['alb.ingress.kubernetes.io/target-type'] ?? 'instance', deregistrationDelay: deregistrationDelay(a['alb.ingress.kubernetes.io/target-group-attributes']) }];
    }
    return [];
  });
}

export const loadBalancerDraining: PolicyRule = {
  id: 'load-balancer-draining',
  description: 'pods behind an AWS load balancer drain: a preStop sleep at least the deregistration delay, a longer grace period, and readiness gates for IP targets',
  check: (input) => {
    const byLabels = LabelIndex.byLabels(workloads(input), (w) => ns(w.object), (w) => w.podLabels);
    const services = new Map(input.objects.filter(({ object }) => object.kind === 'Service').map(({ object }) => [`${ns(object)}/${object.metadata.name}`, object as Any]));
    const namespaces = new Map(input.objects.filter(({ object }) => object.kind === 'Namespace').map(({ object }) => [object.metadata.name, object]));
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const front of loadBalancerFronts(input)) {
      for (const name of front.services) {
        const selector = services.get(`${ns(front.object)}/${name}`)?.spec?.selector ?? {};
        for (const { file, object, podSpec } of byLabels.including(ns(front.object), selector)) {
          const via = `${front.object.kind} ${front.object.metadata.name}`;
          // One finding per workload and problem, however many Ingresses lead to it.
          const report = (message: string, problem = message) => {
            const key = `${file}\0${object.metadata.name}\0${problem}`;
            if (!seen.has(key)) findings.push({ file, object, message });
            seen.add(key);
          };
          const grace: number = podSpec.terminationGracePeriodSeconds ?? 30;
          for (const c of podSpec.containers ?? []) {
            const preStop = c.lifecycle?.preStop;
            if (!preStop) {
              report(`container ${c.name} is a target of ${via} but has no preStop hook: it stops while the load balancer still sends to it`);
              continue;
            }
            const command: string[] = preStop.exec?.command ?? [];
            const sleep = command[0] === 'sleep' ? Number(command[1]) : preStop.sleep?.seconds;
            if (sleep !== undefined && sleep < front.deregistrationDelay) {
              report(`container ${c.name}: preStop sleeps ${sleep}s, less than the ${front.deregistrationDelay}s deregistration delay of ${via}`);
            }
            if (sleep !== undefined && grace <= sleep) {
              report(`terminationGracePeriodSeconds ${grace} leaves container ${c.name} no time to shut down after its ${sleep}s preStop sleep`);
            }
          }
          if (front.targetType === 'ip' && namespaces.get(ns(object))?.metadata.labels?.['elbv2.k8s.aws/pod-readiness-gate-inject'] !== 'enabled') {
            report(`its pods are IP targets of ${via}, but namespace ${ns(object)} lacks the label elbv2.k8s.aws/pod-readiness-gate-inject: enabled, so a rollout can remove old pods before new ones receive traffic`, 'readiness-gate');
          }
        }
      }
    }
    return findings;
  },
};

const SEMVER = /^v?\d+\.\d+\.\d+([-.][0-9A-Za-z.-]+)?$/;

export const pinnedImages: PolicyRule = {
  id: 'pinned-images',
  description: "images carry a tag other than 'latest' or a digest; where demanded, a digest or MAJOR.MINOR.PATCH tag",
  check: (input) =>
    workloads(input).flatMap(({ file, object, podSpec }) =>
      containersOf(podSpec).flatMap((c: Any) => {
        const image: string = c.image ?? '';
        const digest = image.includes('@sha256:');
        const name = image.split('@')[0];
        const tag = name.lastIndexOf(':') > name.lastIndexOf('/') ? name.slice(name.lastIndexOf(':') + 1) : undefined;
        if (!digest && (tag === undefined || tag === 'latest')) return [{ file, object, message: `container ${c.name}: image ${image} is not pinned (no tag, or 'latest')` }];
        if (input.immutableImages && !digest && !SEMVER.test(tag ?? '')) {
          return [{ file, object, message: `container ${c.name}: image ${image} must be a digest or a MAJOR.MINOR.PATCH tag in ${input.environment}` }];
        }
        return [];
      }),
    ),
};

export const noSecretData: PolicyRule = {
  id: 'no-secret-data',
  description: 'no Secret carries data: secrets come from External Secrets Operator',
  check: (input) =>
    input.objects
      .filter(({ object }) => object.kind === 'Secret')
      .filter(({ object }) => Object.keys((object as Any).data ?? {}).length + Object.keys((object as Any).stringData ?? {}).length > 0)
      .map(({ file, object }) => ({ file, object, message: 'a Secret with data would commit the secret to Git; use an ExternalSecret' })),
};

export const networkPolicyCoverage: PolicyRule = {
  id: 'network-policy',
  description: 'every namespace denies by default and every pod is selected by a NetworkPolicy of its own',
  check: (input) => {
    const policies = input.objects.filter(({ object }) => object.kind === 'NetworkPolicy').map(({ object }) => object as Any);
    const denyAll = new Set(policies
      .filter((p) => Object.keys(p.spec.podSelector?.matchLabels ?? {}).length === 0 && !p.spec.podSelector?.matchExpressions
        && !p.spec.ingress && !p.spec.egress && ['Ingress', 'Egress'].every((t) => (p.spec.policyTypes ?? []).includes(t)))
      .map(ns));
    const own = LabelIndex.bySelector<Any>(policies.filter((p) => Object.keys(p.spec.podSelector?.matchLabels ?? {}).length > 0), ns, (p) => p.spec.podSelector.matchLabels);
    return workloads(input).flatMap(({ file, object, podLabels }) => [
      ...(denyAll.has(ns(object)) ? [] : [{ file, object, message: `namespace ${ns(object)} has no default-deny NetworkPolicy` }]),
      ...(own.selecting(ns(object), podLabels).length > 0 ? [] : [{ file, object, message: 'no NetworkPolicy selects its pods' }]),
    ]);
  },
};

export const serviceSelectors: PolicyRule = {
  id: 'service-selector',
  description: "every Service's selector matches a workload's pods",
  check: (input) => {
    const byLabels = LabelIndex.byLabels(workloads(input), (w) => ns(w.object), (w) => w.podLabels);
    return input.objects
      .filter(({ object }) => object.kind === 'Service' && Object.keys((object as Any).spec?.selector ?? {}).length > 0)
      .flatMap(({ file, object }) => {
        const selector: Record<string, string> = (object as Any).spec.selector;
        const own = Object.fromEntries(Object.entries(selector).filter(([k]) => !CONTROLLER_LABELS.has(k)));
        const podName = selector['statefulset.kubernetes.io/pod-name'];
        const target = byLabels.including(ns(object), own)
          .find((w) => podName === undefined || (w.object.kind === 'StatefulSet' && isMember(podName, w.object)));
        if (!target) return [{ file, object, message: `selector ${JSON.stringify(selector)} matches no workload's pods` }];
        const ports: Any[] = target.podSpec.containers.flatMap((c: Any) => c.ports ?? []);
        const missing = ((object as Any).spec.ports ?? []).filter((p: Any) =>
          typeof p.targetPort === 'string' ? !ports.some((cp) => cp.name === p.targetPort) : !ports.some((cp) => cp.containerPort === (p.targetPort ?? p.port)));
        return missing.map((p: Any) => ({ file, object, message: `port ${p.name ?? p.port} targets ${p.targetPort ?? p.port}, which no container of ${target.object.metadata.name} exposes` }));
      });
  },
};

function isMember(podName: string, statefulSet: KubeObject): boolean {
  const prefix = `${statefulSet.metadata.name}-`;
  const ordinal = Number(podName.slice(prefix.length));
  return podName.startsWith(prefix) && Number.isInteger(ordinal) && ordinal < ((statefulSet as Any).spec.replicas ?? 1);
}

export const ingressBackends: PolicyRule = {
  id: 'ingress-backend',
  description: 'every Ingress backend is an existing Service port',
  check: (input) => {
    const services = new Map(input.objects.filter(({ object }) => object.kind === 'Service').map(({ object }) => [`${ns(object)}/${object.metadata.name}`, object as Any]));
    return input.objects
      .filter(({ object }) => object.kind === 'Ingress')
      .flatMap(({ file, object }) => {
        const spec = (object as Any).spec ?? {};
        const backends = [
          ...(spec.defaultBackend ? [spec.defaultBackend] : []),
          ...(spec.rules ?? []).flatMap((r: Any) => (r.http?.paths ?? []).map((p: Any) => p.backend)),
        ];
        return backends.flatMap((b: Any) => {
          const svc = services.get(`${ns(object)}/${b.service?.name}`);
          const port = b.service?.port ?? {};
          const ok = svc && (svc.spec.ports ?? []).some((p: Any) => (port.name ? p.name === port.name : p.port === port.number));
          return ok ? [] : [{ file, object, message: `backend ${b.service?.name}:${port.name ?? port.number} is not a port of an existing Service` }];
        });
      });
  },
};

/** The production rules, in the order they are reported. */
export const RULES: readonly PolicyRule[] = [
  restrictedSecurityContext,
  probes,
  resources,
  noCpuLimitDefaults,
  disruptionBudget,
  pdbUnhealthyEviction,
  loadBalancerDraining,
  singletonDoNotDisrupt,
  pinnedImages,
  noSecretData,
  networkPolicyCoverage,
  serviceSelectors,
  ingressBackends,
];
