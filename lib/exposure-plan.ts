import type { ClusterFacts } from '../environments/cluster-facts';
import type { Environment } from '../environments/schema';
import { ConfigError, ErrorSubject } from './errors';
import type { DnsZone, Exposure, HostName, LoadBalancerPort, ResolvedHost } from './exposure';
import type { RouteRegistry } from './platform-context';

/**
 * The one place that decides, for every exposed service of an environment, which hostnames it gets, in which
 * DNS zone, behind which load balancer (ALB group, the shared ingress-nginx NLB, or an NLB of its own), with
 * which scheme and which ACM certificate, and whether a port may stay plain. ALB, NGINX and LoadBalancer
 * exposures go through the same checks; the renderers (lib/ingress.ts, lib/load-balancer-service.ts, and
 * lib/ingress-nginx-controller.ts for the controller's own NLB) only write down what the plan says.
 */

export type Scheme = 'internet-facing' | 'internal';

/** A hostname with everything its load balancer needs. */
export interface PlannedHost extends ResolvedHost {
  /** The scheme of the load balancer its DNS record points at. */
  readonly scheme: Scheme;
}

export interface ExposurePlan {
  readonly type: Exposure['type'];
  readonly hosts: readonly PlannedHost[];
}

/** What the plan needs to know about the service. */
export interface ExposureRequest {
  readonly env: Environment;
  /** Whom errors name: the environment, the platform and the service. */
  readonly subject: ErrorSubject;
  /** The chart's source file, named in errors about what the chart declares. */
  readonly chartFile: string;
  /** `<platform>/<service>`, the owner of its routes. */
  readonly owner: string;
  readonly exposure: Exposure;
  /** The environment's replacement hostnames (`services.<name>.hostnames`), and where they are set. */
  readonly overrides?: { readonly hostnames: readonly string[]; readonly field: string };
  /** The service must never be internet-facing. */
  readonly internal: boolean;
  readonly routes: RouteRegistry;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MIN_REASON_LENGTH = 15;

/**
 * The cluster's shared ingress-nginx load balancer: one internet-facing NLB that terminates TLS for every
 * NGINX-routed host with the public domain's wildcard certificate, so an NGINX host must be public and covered
 * by that certificate.
 */
export interface NginxLoadBalancer {
  readonly scheme: Scheme;
  readonly zone: DnsZone;
  /** The certificate on its TLS listener, if the facts have one for the public domain. */
  readonly certificateArn?: string;
}

export function nginxLoadBalancer(cluster: ClusterFacts): NginxLoadBalancer {
  return { scheme: 'internet-facing', zone: 'public', certificateArn: certificateFor(cluster, `ingress.${cluster.public_domain}`) };
}

/** Validates a service's exposure against the environment and claims its routes; throws ConfigError naming the field. */
export function planExposure(request: ExposureRequest): ExposurePlan {
  const { env, subject, exposure, overrides } = request;
  if (exposure.type === 'internal') {
    if (overrides) throw new ConfigError(subject, `hostnames are set in environments/${env.name}.ts but the service is not exposed`);
    return { type: 'internal', hosts: [] };
  }
  const resolved = resolveHosts(env.cluster, { ...subject, file: overrides ? `environments/${env.name}.ts` : request.chartFile }, exposure.hosts, overrides?.hostnames);
  const publicHost = resolved.find((h) => h.zone === 'public');
  if (request.internal && publicHost) {
    throw new ConfigError(
      { ...subject, field: 'internal' },
      `the service must never be internet-facing, but ${overrides ? overrides.field : 'exposure.hosts'} gives it the public host ${publicHost.hostname}; ` +
        `use a hostname in the private zone (${env.cluster.private_domain})`,
    );
  }
  const schemeOf = (zone: DnsZone): Scheme => (zone === 'public' ? 'internet-facing' : 'internal');

  if (exposure.type === 'nginx-ingress') {
    const nginx = nginxLoadBalancer(env.cluster);
    for (const host of resolved) {
      if (host.zone !== nginx.zone) {
        throw new ConfigError(
          { ...subject, field: 'exposure' },
          `${host.hostname} is a ${host.zone}-zone host, but NGINX-routed hosts are served by ingress-nginx's ${nginx.scheme} load balancer, ` +
            'which would answer it from the internet; use an alb-ingress exposure (internal ALB) for private hosts',
        );
      }
      if (nginx.certificateArn ? host.certificateArn !== nginx.certificateArn : env.requireTls) {
        throw new ConfigError(
          { ...subject, field: 'exposure' },
          `${host.hostname} is NGINX-routed, but the certificate on ingress-nginx's load balancer ` +
            `(${nginx.certificateArn ? `the one for *.${env.cluster.public_domain}` : `none: certificate_arns has no *.${env.cluster.public_domain}`}) does not cover it; ` +
            `use a host directly below ${env.cluster.public_domain}, or an alb-ingress exposure with its own certificate`,
        );
      }
    }
    claimPaths(request, resolved, exposure.paths, () => 'nginx');
    return { type: exposure.type, hosts: resolved.map((h) => ({ ...h, scheme: nginx.scheme })) };
  }

  if (exposure.type === 'alb-ingress') {
    const missing = resolved.filter((h) => !h.certificateArn);
    if (missing.length > 0 && env.requireTls) {
      throw new ConfigError(
        { ...subject, field: 'exposure' },
        `no ACM certificate in the cluster facts covers ${missing.map((h) => h.hostname).join(', ')}; ` +
          `environment ${env.name} requires TLS on every ALB (add it to certificate_arns in Terraform)`,
      );
    }
    claimPaths(request, resolved, exposure.paths ?? ['/'], (h) => `alb-${schemeOf(h.zone)}`);
    return { type: exposure.type, hosts: resolved.map((h) => ({ ...h, scheme: schemeOf(h.zone) })) };
  }

  // A load balancer of its own (NLB).
  if (resolved.length === 0) throw new ConfigError(subject, `a load-balancer exposure needs at least one hostname`);
  const zones = new Set(resolved.map((h) => h.zone));
  if (zones.size > 1) throw new ConfigError(subject, `a load balancer is either internet-facing or internal; its hostnames mix public and private zones`);
  checkPorts(subject, exposure.ports);
  const tlsPorts = exposure.ports.filter((p) => p.tls);
  const uncovered = resolved.filter((h) => !h.certificateArn);
  if (tlsPorts.length > 0 && uncovered.length > 0) {
    throw new ConfigError(
      { ...subject, field: 'exposure' },
      `TLS port ${tlsPorts.map((p) => p.port).join(', ')} needs an ACM certificate covering ` +
        `${uncovered.map((h) => h.hostname).join(', ')}; add it to certificate_arns in Terraform`,
    );
  }
  for (const host of resolved) request.routes.claim({ ...subject, file: request.chartFile }, request.owner, host.hostname, '*', 'nlb');
  return { type: exposure.type, hosts: resolved.map((h) => ({ ...h, scheme: schemeOf(h.zone) })) };
}

/** Every port of a load balancer either terminates TLS or says why it stays plain. */
function checkPorts(subject: ErrorSubject, ports: readonly LoadBalancerPort[]): void {
  for (const port of ports) {
    const reason = port.tls ? undefined : port.plaintext;
    if (!port.tls && (reason === undefined || reason.trim().length < MIN_REASON_LENGTH)) {
      throw new ConfigError({ ...subject, field: 'exposure.ports' }, `port ${port.port} (${port.name}) neither terminates TLS (tls: true) nor says why it stays plain (plaintext: '<reason>')`);
    }
  }
}

function claimPaths(request: ExposureRequest, hosts: readonly ResolvedHost[], paths: readonly string[], entryPoint: (h: ResolvedHost) => string): void {
  for (const host of hosts) {
    for (const path of paths) {
      if (!path.startsWith('/')) throw new ConfigError(request.subject, `exposure path '${path}' must start with '/'`);
      request.routes.claim({ ...request.subject, file: request.chartFile }, request.owner, host.hostname, path, entryPoint(host));
    }
  }
}

/**
 * Turns chart hostnames (or the environment's replacement list) into full names, and checks that each lies
 * inside a domain the environment owns.
 */
export function resolveHosts(
  cluster: ClusterFacts,
  subject: ErrorSubject,
  chartHosts: readonly HostName[],
  overrides: readonly string[] | undefined,
): ResolvedHost[] {
  const domains: Record<DnsZone, string> = { public: cluster.public_domain, private: cluster.private_domain };
  const names = overrides
    ? overrides.map((hostname) => ({ hostname, zone: zoneOf(hostname, domains, subject) }))
    : chartHosts.map((h) => {
        const hostname = h.subdomain ? `${h.subdomain}.${domains[h.zone]}` : domains[h.zone];
        if (!HOSTNAME.test(hostname)) {
          throw new ConfigError({ ...subject, field: 'exposure.hosts' }, `subdomain '${h.subdomain}' does not make a valid lower-case DNS name ('${hostname}')`);
        }
        // In prod the private domain lies below the public one: a "public" host there would be a private name.
        if (zoneOf(hostname, domains, subject) !== h.zone) {
          throw new ConfigError({ ...subject, field: 'exposure.hosts' }, `'${hostname}' is declared ${h.zone} but lies in the ${h.zone === 'public' ? 'private' : 'public'} domain`);
        }
        return { hostname, zone: h.zone };
      });
  return names.map(({ hostname, zone }) => ({ hostname, zone, certificateArn: certificateFor(cluster, hostname) }));
}

function zoneOf(hostname: string, domains: Record<DnsZone, string>, subject: ErrorSubject): DnsZone {
  // The private domain is usually a subdomain of the public one, so the longer match wins.
  const zones = (Object.keys(domains) as DnsZone[]).sort((a, b) => domains[b].length - domains[a].length);
  const zone = zones.find((z) => hostname === domains[z] || hostname.endsWith(`.${domains[z]}`));
  if (!zone) {
    throw new ConfigError(
      { ...subject, field: 'hostnames' },
      `'${hostname}' is outside the environment's domains (${domains.public}, ${domains.private}); ` +
        'external-dns could not create its record',
    );
  }
  return zone;
}

/** The ACM certificate whose domain covers the hostname: exact, or a wildcard one level up. */
export function certificateFor(cluster: ClusterFacts, hostname: string): string | undefined {
  const parent = hostname.slice(hostname.indexOf('.') + 1);
  return cluster.certificate_arns[hostname] ?? cluster.certificate_arns[`*.${parent}`];
}
