import type { Environment } from '../../environments/schema';
import { MANAGED_BY } from '../labels';
import { MONITORING_NAMESPACE } from '../network-policies';
import type { KubeObject } from '../kube-object';

/** Pods of an add-on that no rendered workload declares (the Prometheus Operator creates them). */
export interface ManagedPods {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** TCP ports they serve. */
  readonly ports: readonly number[];
}

/** How an add-on's pods talk beyond the defaults every add-on gets. */
export interface AddonNetwork {
  /**
   * Egress to every pod of the cluster and every node, on any port: ingress-nginx routes to the platforms'
   * Services, Prometheus scrapes every namespace and the nodes' kubelets and node exporters.
   */
  readonly egressToCluster?: boolean;
  /** Extra TCP ports reachable anywhere (Argo CD's repo server fetches Git over SSH, 22). */
  readonly egressPorts?: readonly number[];
  readonly managedPods?: readonly ManagedPods[];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
/** Pod labels that change with a chart version or per pod: never in a policy's selector. */
const VOLATILE_LABELS = /^(helm\.sh\/chart|app\.kubernetes\.io\/version|pod-template-hash|controller-revision-hash|batch\.kubernetes\.io\/.*|controller-uid|job-name)$/;

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const tcp = (port: number) => ({ protocol: 'TCP', port });
const namespaceNamed = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

function podSelectorOf(o: Any): Record<string, string> {
  const match = o.spec?.selector?.matchLabels;
  if (o.kind !== 'Job' && match && Object.keys(match).length > 0) return match;
  const labels: Record<string, string> = o.spec?.template?.metadata?.labels ?? {};
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !VOLATILE_LABELS.test(k)));
}

function containerPorts(o: Any): number[] {
  const spec = o.spec?.template?.spec ?? {};
  const ports = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].flatMap((c: Any) => (c.ports ?? []).filter((p: Any) => (p.protocol ?? 'TCP') === 'TCP').map((p: Any) => p.containerPort as number));
  return [...new Set(ports)].sort((a, b) => a - b);
}

/**
 * The NetworkPolicies of an add-on's pods, derived from its rendered workloads: a default deny in every
 * namespace it creates, and for each workload exactly this: its own namespace both ways (an add-on's parts
 * talk to each other: Argo CD's components, Prometheus, Alertmanager and Grafana), its container ports from
 * the VPC (the EKS control plane calls webhooks and aggregated APIs from there, NLBs reach their IP targets
 * from there) and from Prometheus; DNS, and HTTPS anywhere (the API server's endpoint and the AWS APIs have
 * no fixed addresses); plus what `network` adds.
 */
export function addonNetworkPolicies(env: Environment, addon: string, namespace: string, ownsNamespace: boolean, objects: readonly KubeObject[], network: AddonNetwork = {}): KubeObject[] {
  const labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': addon };
  const policy = (name: string, spec: Record<string, unknown>): KubeObject =>
    ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace, labels }, spec });
  const policies: KubeObject[] = [];
  if (ownsNamespace) policies.push(policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));

  const pods: { name: string; selector: Record<string, string>; ports: number[] }[] = [
    ...objects.filter((o) => WORKLOADS.has(o.kind) && (o.metadata.namespace ?? namespace) === namespace)
      .map((o) => ({ name: o.metadata.name, selector: podSelectorOf(o), ports: containerPorts(o) })),
    ...(network.managedPods ?? []).map((m) => ({ name: m.name, selector: { ...m.labels }, ports: [...m.ports] })),
  ];
  const vpc = env.cluster.vpc_cidr;
  const prometheus = { namespaceSelector: namespaceNamed(MONITORING_NAMESPACE), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } };
  for (const pod of pods) {
    if (Object.keys(pod.selector).length === 0) continue;
    const ingress: Any[] = [{ from: [{ podSelector: {} }] }];
    if (pod.ports.length > 0) {
      ingress.push({ from: [{ ipBlock: { cidr: vpc } }], ports: pod.ports.map(tcp) });
      if (env.addons.kubePrometheusStack) ingress.push({ from: [prometheus], ports: pod.ports.map(tcp) });
    }
    const egress: Any[] = [
      { to: [{ namespaceSelector: namespaceNamed('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, tcp(53)] },
      { to: [{ podSelector: {} }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [443, ...(network.egressPorts ?? [])].map(tcp) },
    ];
    if (network.egressToCluster) egress.push({ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: vpc } }] });
    policies.push(policy(pod.name, { podSelector: { matchLabels: pod.selector }, policyTypes: ['Ingress', 'Egress'], ingress, egress }));
  }
  return policies;
}
