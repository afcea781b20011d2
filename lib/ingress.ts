import { k8s } from './k8s';
import { Construct } from 'constructs';
import { ConnectionDraining, targetGroupAttributes } from './connection-draining';
import { ConfigError } from './errors';
import { DNS_ZONE_LABEL, DnsZone, ResolvedHost } from './exposure';
import { PlatformChart } from './platform-chart';
import type { PlatformContext } from './platform-context';

/** TLS 1.3 and 1.2 only, the AWS policy recommended for ALBs and NLBs. */
export const AWS_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface IngressesProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly where: string;
  readonly context: PlatformContext;
  readonly hosts: readonly ResolvedHost[];
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
  const { context, where } = props;
  for (const host of props.hosts) {
    for (const path of props.paths) {
      if (!path.startsWith('/')) throw new ConfigError(`${where}: exposure path '${path}' must start with '/'`);
      context.routes.claim(`${where}: ${PlatformChart.platformOf(scope).sourceFile}`, `${context.platform}/${props.name}`, host.hostname, path, props.controller === 'nginx' ? 'nginx' : `alb-${host.zone === 'public' ? 'internet-facing' : 'internal'}`);
    }
  }
  const zones = [...new Set(props.hosts.map((h) => h.zone))].sort();
  for (const zone of zones) {
    const hosts = props.hosts.filter((h) => h.zone === zone);
    const id = zones.length > 1 ? `${props.name}-${zone}` : props.name;
    const publish = props.context.publishDns;
    const annotations: Record<string, string> = {
      ...(publish ? { 'external-dns.alpha.kubernetes.io/hostname': hosts.map((h) => h.hostname).join(',') } : {}),
      ...(props.controller === 'alb' ? albAnnotations(props, zone, hosts) : {}),
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

function albAnnotations(props: IngressesProps, zone: DnsZone, hosts: readonly ResolvedHost[]): Record<string, string> {
  const { context, where } = props;
  const missing = hosts.filter((h) => !h.certificateArn);
  if (missing.length > 0 && context.env.requireTls) {
    throw new ConfigError(
      `${where}: exposure: no ACM certificate in the cluster facts covers ${missing.map((h) => h.hostname).join(', ')}; ` +
        `environment ${context.env.name} requires TLS on every ALB (add it to certificate_arns in Terraform)`,
    );
  }
  const certificates = [...new Set(hosts.flatMap((h) => (h.certificateArn ? [h.certificateArn] : [])))].sort();
  const scheme = zone === 'public' ? 'internet-facing' : 'internal';
  const tls = certificates.length > 0 && missing.length === 0;
  return {
    'alb.ingress.kubernetes.io/scheme': scheme,
    // One ALB per environment and scheme: every Ingress of the group shares its listeners.
    'alb.ingress.kubernetes.io/group.name': `${context.env.name}-${scheme}`,
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
