import { k8s } from './k8s';
import { Construct } from 'constructs';
import { ConnectionDraining, targetGroupAttributes } from './connection-draining';
import { ConfigError, ErrorSubject } from './errors';
import { DNS_ZONE_LABEL, LoadBalancerPort } from './exposure';
import type { PlannedHost } from './exposure-plan';
import { AWS_TLS_POLICY } from './ingress';

export interface LoadBalancerServiceProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  /** Whom errors name: the environment, the platform and the service. */
  readonly subject: ErrorSubject;
  /** Hostnames as the environment's exposure plan decided them: one zone, one scheme. */
  readonly hosts: readonly PlannedHost[];
  /** Let external-dns publish the hostnames (annotation and zone label). @default true */
  readonly publishDns?: boolean;
  readonly ports: readonly LoadBalancerPort[];
  readonly containerPorts: readonly { readonly name: string; readonly port: number }[];
  /** Readiness path of the service; the NLB health-checks it over HTTP. */
  readonly healthCheckPath: string;
  /** Container port that serves the readiness path (every listener's targets are checked there). */
  readonly healthCheckPort: number;
  /** How the NLB's targets drain (its deregistration delay). */
  readonly draining: ConnectionDraining;
}

/** Annotation stating why a load balancer port carries plain traffic: `<prefix><port name>: <reason>`. */
export const PLAINTEXT_ANNOTATION_PREFIX = 'platform-manifests/plaintext-';

/**
 * A Service of type LoadBalancer that the AWS Load Balancer Controller turns into a Network Load Balancer with
 * IP targets; TLS ports terminate on the NLB with the hostname's ACM certificate.
 */
export function renderLoadBalancerService(scope: Construct, props: LoadBalancerServiceProps): void {
  for (const port of props.ports) {
    if (!props.containerPorts.some((c) => c.name === port.targetPort)) {
      throw new ConfigError(props.subject, `load-balancer port ${port.port} targets '${port.targetPort}', which is not a container port (${props.containerPorts.map((c) => c.name).join(', ')})`);
    }
  }
  const tlsPorts = props.ports.filter((p) => p.tls);
  const certificates = [...new Set(props.hosts.flatMap((h) => (h.certificateArn ? [h.certificateArn] : [])))].sort();
  const scheme = props.hosts[0].scheme;
  const publish = props.publishDns ?? true;
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
          'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': certificates.join(','),
          'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': tlsPorts.map((p) => p.name).join(','),
          'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': AWS_TLS_POLICY,
        }
      : {}),
    // Why each plain port is plain, where a reviewer of the rendered YAML sees it.
    ...Object.fromEntries(props.ports.flatMap((p) => (p.plaintext ? [[`${PLAINTEXT_ANNOTATION_PREFIX}${p.name}`, p.plaintext]] : []))),
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
