import { ConfigError } from '../errors';
import { EXEMPTION_PREFIX } from '../policy/gate';
import type { KubeObject } from '../kube-object';

/**
 * What an add-on's object genuinely needs beyond the production rules, listed one object and one rule at a
 * time with the reason. Applied as the usual opt-out annotation (`policy.platform-manifests.io/exempt-<rule>`),
 * so the policy gate prints every one in the render's summary. An entry that matches no rendered object is an
 * error: a chart upgrade that no longer needs it removes it.
 */
export interface AddonExemption {
  readonly addon: string;
  readonly kind: string;
  readonly name: string;
  /** Rule id → why this object cannot meet it. */
  readonly rules: Readonly<Record<string, string>>;
}

const KUBE_SYSTEM = 'kube-system also runs the EKS-managed CoreDNS, aws-node and kube-proxy, whose flows this repository does not own: '
  + 'a default deny there would cut cluster DNS. The pod is still isolated by a NetworkPolicy of its own. The IAM roles (Terraform) trust '
  + 'its service account in kube-system.';
const OPERATOR_PODS = 'selects the pods the Prometheus Operator creates from the Prometheus/Alertmanager resource, which no rendered workload declares';

export const ADDON_EXEMPTIONS: readonly AddonExemption[] = [
  {
    addon: 'kube-prometheus-stack', kind: 'DaemonSet', name: 'kube-prometheus-stack-prometheus-node-exporter',
    rules: { 'restricted-security-context': 'node exporter reports the node itself: it runs in the host network and PID namespaces and reads /proc, /sys and / through read-only hostPath mounts (namespace monitoring is privileged for it); everything else is restricted' },
  },
  {
    addon: 'kube-prometheus-stack', kind: 'Deployment', name: 'kube-prometheus-stack-grafana',
    rules: { probes: 'the k8s-sidecar containers that load dashboards and datasources serve no health endpoint; the grafana container has readiness and liveness probes' },
  },
  { addon: 'kube-prometheus-stack', kind: 'Service', name: 'kube-prometheus-stack-prometheus', rules: { 'service-selector': OPERATOR_PODS } },
  { addon: 'kube-prometheus-stack', kind: 'Service', name: 'kube-prometheus-stack-alertmanager', rules: { 'service-selector': OPERATOR_PODS } },
  {
    addon: 'kube-prometheus-stack', kind: 'Service', name: 'kube-prometheus-stack-coredns',
    rules: { 'service-selector': 'a headless metrics Service for the EKS-managed CoreDNS pods (k8s-app: kube-dns), which EKS runs, not this repository' },
  },
  {
    addon: 'fluent-bit', kind: 'DaemonSet', name: 'fluent-bit',
    rules: { 'restricted-security-context': 'Fluent Bit tails every container\'s log files on the node through hostPath mounts of /var/log (namespace logging is privileged for it); the container is otherwise restricted' },
  },
  {
    addon: 'ingress-nginx', kind: 'Deployment', name: 'ingress-nginx-controller',
    rules: { 'restricted-security-context': 'the controller rewrites nginx.conf and its Lua state below /etc/nginx at run time, so its root filesystem stays writable; it runs as uid 101 without privilege escalation, seccomp RuntimeDefault, only NET_BIND_SERVICE added' },
  },
  {
    addon: 'argo-cd', kind: 'StatefulSet', name: 'argo-cd-argocd-application-controller',
    rules: { probes: 'upstream defines no liveness endpoint for the application controller; its readiness probe (/healthz) gates it' },
  },
  { addon: 'karpenter', kind: 'Deployment', name: 'karpenter', rules: { 'network-policy': KUBE_SYSTEM } },
  { addon: 'aws-load-balancer-controller', kind: 'Deployment', name: 'aws-load-balancer-controller', rules: { 'network-policy': KUBE_SYSTEM } },
  { addon: 'metrics-server', kind: 'Deployment', name: 'metrics-server', rules: { 'network-policy': KUBE_SYSTEM } },
];

/** The objects with their listed exemptions annotated; fails on an entry that matches nothing. */
export function applyPolicyExemptions(env: string, addon: string, objects: readonly KubeObject[], list: readonly AddonExemption[] = ADDON_EXEMPTIONS): KubeObject[] {
  const entries = list.filter((e) => e.addon === addon);
  const used = new Set<AddonExemption>();
  const result = objects.map((o) => {
    const entry = entries.find((e) => e.kind === o.kind && e.name === o.metadata.name);
    if (!entry) return o;
    used.add(entry);
    const annotations = { ...(o.metadata.annotations ?? {}) };
    for (const [rule, reason] of Object.entries(entry.rules)) annotations[`${EXEMPTION_PREFIX}${rule}`] = reason;
    return { ...o, metadata: { ...o.metadata, annotations: Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : 1))) } };
  });
  const unused = entries.filter((e) => !used.has(e));
  if (unused.length > 0) {
    throw new ConfigError(`environment ${env}: add-on ${addon}: policy exemption(s) for ${unused.map((e) => `${e.kind} ${e.name}`).join(', ')} match no rendered object — ` +
      'remove them from lib/addons/policy-exemptions.ts (the chart no longer renders them)');
  }
  return result;
}
