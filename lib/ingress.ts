import { k8s } from './k8s';
import { Construct } from 'constructs';
import { ConnectionDraining, targetGroupAttributes } from './connection-draining';
import { DNS_ZONE_LABEL } from './exposure';
import type { PlannedHost } from './exposure-plan';

/** TLS 1.3 and 1.2 only, the AWS policy recommended for ALBs and NLBs. */
export const AWS_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface IngressesProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Name of the environment: its ALBs are shared per scheme (`<env>-<scheme>`). */
  readonly envName: string;
  /** Hostnames as the environment's exposure plan decided them (zone, scheme, certificate). */
  readonly hosts: readonly PlannedHost[];
  /** Let external-dns publish the hostnames (annotation and zone label). @default true */
  readonly publishDns?: boolean;
  readonly controller: 'nginx' | 'alb';
  readonly paths: readonly string[];
  /** Readiness path of the service; the ALB health-checks it. */
  readonly healthCheckPath: string;
  /** ALB targets: pod IPs, or node ports of a NodePort Service. */
  readonly targetType: 'ip' | 'instance';
  /** How the ALB's targets drain (its deregistration delay). Required for an ALB. */
  readonly draining?: ConnectionDraining;
}

/**
 * Ingresses for one service: a single NGINX Ingress, or one ALB Ingress per DNS zone (internet-facing for
 * public hosts, internal for private ones), each joining the environment's shared ALB of that scheme.
 */
export function renderIngresses(scope: Construct, props: IngressesProps): void {
  const publish = props.publishDns ?? true;
  const zones = [...new Set(props.hosts.map((h) => h.zone))].sort();
  for (const zone of zones) {
    const hosts = props.hosts.filter((h) => h.zone === zone);
    const id = zones.length > 1 ? `${props.name}-${zone}` : props.name;
    const annotations: Record<string, string> = {
      ...(publish ? { 'external-dns.alpha.kubernetes.io/hostname': hosts.map((h) => h.hostname).join(',') } : {}),
      ...(props.controller === 'alb' ? albAnnotations(props, hosts) : {}),
    };
    new k8s.KubeIngress(scope, `ingress-${zone}`, {
      // external-dns selects its objects by this label: without it, no record is made.
      metadata: { name: id, labels: { ...props.labels, ...(publish ? { [DNS_ZONE_LABEL]: zone } : {}) }, annotations },
      spec: {
        ingressClassName: props.controller,
        rules: hosts.map((h) => ({
          host: h.hostname,
          http: {
            paths: props.paths.map((path) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: props.name, port: { name: 'http' } } },
            })),
          },
        })),
      },
    });
  }
}

function albAnnotations(props: IngressesProps, hosts: readonly PlannedHost[]): Record<string, string> {
  // The plan refused missing certificates where TLS is required; elsewhere a zone without one stays HTTP.
  const certificates = [...new Set(hosts.flatMap((h) => (h.certificateArn ? [h.certificateArn] : [])))].sort();
  const scheme = hosts[0].scheme;
  const tls = certificates.length > 0 && hosts.every((h) => h.certificateArn);
  return {
    'alb.ingress.kubernetes.io/scheme': scheme,
    // One ALB per environment and scheme: every Ingress of the group shares its listeners.
    'alb.ingress.kubernetes.io/group.name': `${props.envName}-${scheme}`,
    'alb.ingress.kubernetes.io/target-type': props.targetType,
    'alb.ingress.kubernetes.io/healthcheck-path': props.healthCheckPath,
    'alb.ingress.kubernetes.io/healthcheck-port': 'traffic-port',
    'alb.ingress.kubernetes.io/success-codes': '200',
    // Explicit, and what the pods' preStop sleep and grace period are derived from.
    'alb.ingress.kubernetes.io/target-group-attributes': targetGroupAttributes(props.draining!, false),
    ...(tls
      ? {
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
          'alb.ingress.kubernetes.io/ssl-redirect': '443',
          'alb.ingress.kubernetes.io/certificate-arn': certificates.join(','),
          'alb.ingress.kubernetes.io/ssl-policy': AWS_TLS_POLICY,
        }
      : { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}]' }),
  };
}
