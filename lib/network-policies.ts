import { k8s } from './k8s';
import { Construct } from 'constructs';
import { MANAGED_BY } from './labels';
import type { PlatformContext } from './platform-context';
import type { ComponentRecord } from './component-record';

/** Where cluster-wide traffic comes from; these namespaces are created by the add-ons (argocd/). */
export const INGRESS_NGINX_NAMESPACE = 'ingress-nginx';
export const MONITORING_NAMESPACE = 'monitoring';

const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
const namespaceNamed = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/**
 * The platform's NetworkPolicies, derived from what its components declare; nobody writes one by hand.
 * Everything is denied, then each component gets exactly the flows its model needs: from the components that
 * depend on it and to the ones it depends on, on their ports; from the ingress controller or the VPC (AWS load
 * balancers) when exposed; from Prometheus on its metrics port; to AWS APIs when it has an IAM role; DNS for all.
 */
export class PlatformNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, context: PlatformContext) {
    super(scope, id);
    const labels = { 'app.kubernetes.io/part-of': context.platform, 'app.kubernetes.io/managed-by': MANAGED_BY };
    const vpc = context.env.cluster.vpc_cidr;

    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny', labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'allow-dns', {
      metadata: { name: 'allow-dns', labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: namespaceNamed('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)],
        }],
      },
    });

    const components = context.allComponents;
    const byName = new Map(components.map((c) => [c.name, c]));
    // Who depends on whom, indexed once: the render stays linear in the number of components.
    const callers = new Map<string, { caller: ComponentRecord; dep: ComponentRecord['dependsOn'][number] }[]>();
    for (const caller of components) {
      for (const dep of caller.dependsOn) callers.set(dep.target, [...(callers.get(dep.target) ?? []), { caller, dep }]);
    }
    const portsUsed = (target: ComponentRecord, names?: readonly string[]) =>
      target.ports.filter((p) => !names || names.includes(p.name)).map((p) => p.containerPort);

    for (const component of components) {
      if (!component.podSelector) continue;
      const ingress: k8s.NetworkPolicyIngressRule[] = [];
      const egress: k8s.NetworkPolicyEgressRule[] = [];

      for (const { caller, dep } of callers.get(component.name) ?? []) {
        ingress.push({ from: [{ podSelector: { matchLabels: caller.podSelector! } }], ports: portsUsed(component, dep.ports).map(tcp) });
      }
      if (component.peerPorts?.length) {
        const peers = { from: [{ podSelector: { matchLabels: component.podSelector } }], ports: component.peerPorts.map(tcp) };
        ingress.push(peers);
        egress.push({ to: peers.from, ports: peers.ports });
      }
      for (const exposure of component.exposedTo ?? []) {
        ingress.push({
          from: exposure.source === 'ingress-nginx'
            ? [{ namespaceSelector: namespaceNamed(INGRESS_NGINX_NAMESPACE), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }]
            // ALB/NLB nodes and (for NodePort) the nodes themselves send from addresses inside the VPC.
            : [{ ipBlock: { cidr: vpc } }],
          ports: exposure.ports.map(tcp),
        });
      }
      if (component.metricsPort) {
        ingress.push({
          from: [{ namespaceSelector: namespaceNamed(MONITORING_NAMESPACE), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
          ports: [tcp(component.metricsPort)],
        });
      }
      for (const dep of component.dependsOn) {
        const target = byName.get(dep.target)!;
        const ports = portsUsed(target, dep.ports).map(tcp);
        // An external database (RDS) lives in the VPC's database subnets.
        egress.push(target.external ? { to: [{ ipBlock: { cidr: vpc } }], ports } : { to: [{ podSelector: { matchLabels: target.podSelector! } }], ports });
      }
      if (component.awsAccess) {
        // AWS APIs (STS for IRSA, then the service's own) are HTTPS endpoints outside the cluster.
        egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [tcp(443)] });
      }
      new k8s.KubeNetworkPolicy(this, component.name, {
        metadata: { name: component.name, labels: { ...labels, 'app.kubernetes.io/name': component.name } },
        spec: {
          podSelector: { matchLabels: component.podSelector },
          policyTypes: ['Ingress', 'Egress'],
          ...(ingress.length > 0 ? { ingress } : {}),
          ...(egress.length > 0 ? { egress } : {}),
        },
      });
    }
  }
}
