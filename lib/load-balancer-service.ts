import { k8s } from './k8s';
import { Construct } from 'constructs';
import type { Environment } from '../environments/schema';
import { ConnectionDraining, targetGroupAttributes } from './connection-draining';
import { ConfigError } from './errors';
import { DNS_ZONE_LABEL, LoadBalancerPort, ResolvedHost } from './exposure';
import { AWS_TLS_POLICY } from './ingress';
import { PlatformChart } from './platform-chart';
import type { RouteRegistry } from './platform-context';

export interface LoadBalancerServiceProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly where: string;
  readonly env: Environment;
  readonly hosts: readonly ResolvedHost[];
  readonly ports: readonly LoadBalancerPort[];
  readonly containerPorts: readonly { readonly name: string; readonly port: number }[];
  /** Readiness path of the service; the NLB health-checks it over HTTP. */
  readonly healthCheckPath: string;
  /** Container port that serves the readiness path (every listener's targets are checked there). */
  readonly healthCheckPort: number;
  /** The environment's routes: the NLB takes its hostnames whole. */
  readonly routes: RouteRegistry;
  /** `<platform>/<service>`, for conflicts. */
  readonly owner: string;
  /** How the NLB's targets drain (its deregistration delay). */
  readonly draining: ConnectionDraining;
}

/**
 * A Service of type LoadBalancer that the AWS Load Balancer Controller turns into a Network Load Balancer with
 * IP targets; TLS ports terminate on the NLB with the hostname's ACM certificate.
 */
export function renderLoadBalancerService(scope: Construct, props: LoadBalancerServiceProps): void {
  const { where } = props;
  if (props.hosts.length === 0) throw new ConfigError(`${where}: a load-balancer exposure needs at least one hostname`);
  const zones = new Set(props.hosts.map((h) => h.zone));
  if (zones.size > 1) throw new ConfigError(`${where}: a load balancer is either internet-facing or internal; its hostnames mix public and private zones`);
  for (const host of props.hosts) props.routes.claim(`${where}: ${PlatformChart.platformOf(scope).sourceFile}`, props.owner, host.hostname, '*', 'nlb');
  for (const port of props.ports) {
    if (!props.containerPorts.some((c) => c.name === port.targetPort)) {
      throw new ConfigError(`${where}: load-balancer port ${port.port} targets '${port.targetPort}', which is not a container port (${props.containerPorts.map((c) => c.name).join(', ')})`);
    }
  }
  const tlsPorts = props.ports.filter((p) => p.tls);
  const certificates = [...new Set(props.hosts.map((h) => h.certificateArn))];
  if (tlsPorts.length > 0 && certificates.some((c) => c === undefined)) {
    throw new ConfigError(
      `${where}: exposure: TLS port ${tlsPorts.map((p) => p.port).join(', ')} needs an ACM certificate covering ` +
        `${props.hosts.filter((h) => !h.certificateArn).map((h) => h.hostname).join(', ')}; add it to certificate_arns in Terraform`,
    );
  }
  const scheme = zones.has('public') ? 'internet-facing' : 'internal';
  const publish = props.env.review?.publishDns ?? true;
  const annotations: Record<string, string> = {
    ...(publish ? { 'external-dns.alpha.kubernetes.io/hostname': props.hosts.map((h) => h.hostname).join(',') } : {}),
    'service.beta.kubernetes.io/aws-load-balancer-scheme': scheme,
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-backend-protocol': 'tcp',
    // The controller's form; the older cross-zone-load-balancing-enabled annotation is deprecated.
    'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
    // A TCP check would pass for a pod that accepts connections but is not ready; check what the readiness probe checks.
    'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',
    'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': props.healthCheckPath,
    'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': String(props.healthCheckPort),
    // Explicit, and what the pods' preStop sleep and grace period are derived from.
    'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': targetGroupAttributes(props.draining, true),
    ...(tlsPorts.length > 0
      ? {
          'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': (certificates as string[]).sort().join(','),
          'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': tlsPorts.map((p) => p.name).join(','),
          'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': AWS_TLS_POLICY,
        }
      : {}),
  };
  new k8s.KubeService(scope, 'service', {
    // external-dns selects its objects by this label: without it, no record is made.
    metadata: { name: props.name, labels: { ...props.labels, ...(publish ? { [DNS_ZONE_LABEL]: scheme === 'internet-facing' ? 'public' : 'private' } : {}) }, annotations },
    spec: {
      type: 'LoadBalancer',
      // The controller, not the legacy in-tree provider, owns Services of this class.
      loadBalancerClass: 'service.k8s.aws/nlb',
      selector: props.selector,
      ports: props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.targetPort), protocol: 'TCP' })),
    },
  });
}
