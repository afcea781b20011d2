import type { ClusterFacts } from '../environments/cluster-facts';
import { ConfigError } from './errors';

/** Which Route 53 zone a hostname lives in; external-dns keeps one instance per zone type. */
export type DnsZone = 'public' | 'private';

/**
 * Label on every Ingress and LoadBalancer Service that carries a DNS name: `public` or `private`. Each
 * external-dns instance selects its zone's objects with `--label-filter`, so a private hostname (which in prod
 * lies below the public domain) never gets a record in the public zone.
 */
export const DNS_ZONE_LABEL = 'platform-manifests/dns-zone';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A hostname below one of the environment's domains, e.g. `{ subdomain: 'shop', zone: 'public' }`. */
export interface HostName {
  /** Left-most labels; the zone's domain is appended. Use '' for the apex. */
  readonly subdomain: string;
  readonly zone: DnsZone;
}

/** A Service port that a LoadBalancer Service opens. */
export interface LoadBalancerPort {
  readonly name: string;
  /** Port on the load balancer. */
  readonly port: number;
  /** Named container port it forwards to. */
  readonly targetPort: string;
  /** Terminate TLS on the load balancer with the hostname's ACM certificate. @default false */
  readonly tls?: boolean;
}

/**
 * How a service meets the world outside its namespace. Every variant is rendered by the Microservice
 * construct; the README has a table of when to use which.
 */
export type Exposure =
  /** Reachable inside the cluster only (ClusterIP). */
  | { readonly type: 'internal' }
  /** NGINX Ingress (class `nginx`), routed by host and path. */
  | { readonly type: 'nginx-ingress'; readonly hosts: readonly HostName[]; readonly paths: readonly string[] }
  /**
   * An AWS Application Load Balancer through the AWS Load Balancer Controller, shared by every service of the
   * environment with the same scheme (ingress group). Public hosts get an internet-facing ALB, private hosts an
   * internal one.
   */
  | { readonly type: 'alb-ingress'; readonly hosts: readonly HostName[]; readonly paths?: readonly string[] }
  /** A Service of type LoadBalancer: an AWS Network Load Balancer through the controller. */
  | { readonly type: 'load-balancer'; readonly hosts: readonly HostName[]; readonly ports: readonly LoadBalancerPort[] };

/** A hostname resolved against the environment's domains. */
export interface ResolvedHost {
  readonly hostname: string;
  readonly zone: DnsZone;
  /** ACM certificate covering it, if the cluster facts have one. */
  readonly certificateArn?: string;
}

/**
 * Turns chart hostnames (or the environment's replacement list) into full names, and checks that each lies
 * inside a domain the environment owns.
 */
export function resolveHosts(
  cluster: ClusterFacts,
  where: string,
  chartHosts: readonly HostName[],
  overrides: readonly string[] | undefined,
): ResolvedHost[] {
  const domains: Record<DnsZone, string> = { public: cluster.public_domain, private: cluster.private_domain };
  const names = overrides
    ? overrides.map((hostname) => ({ hostname, zone: zoneOf(hostname, domains, where) }))
    : chartHosts.map((h) => {
        const hostname = h.subdomain ? `${h.subdomain}.${domains[h.zone]}` : domains[h.zone];
        if (!HOSTNAME.test(hostname)) {
          throw new ConfigError(`${where}: exposure.hosts: subdomain '${h.subdomain}' does not make a valid lower-case DNS name ('${hostname}')`);
        }
        // In prod the private domain lies below the public one: a "public" host there would be a private name.
        if (zoneOf(hostname, domains, where) !== h.zone) {
          throw new ConfigError(`${where}: exposure.hosts: '${hostname}' is declared ${h.zone} but lies in the ${h.zone === 'public' ? 'private' : 'public'} domain`);
        }
        return { hostname, zone: h.zone };
      });
  return names.map(({ hostname, zone }) => ({ hostname, zone, certificateArn: certificateFor(cluster, hostname) }));
}

function zoneOf(hostname: string, domains: Record<DnsZone, string>, where: string): DnsZone {
  // The private domain is usually a subdomain of the public one, so the longer match wins.
  const zones = (Object.keys(domains) as DnsZone[]).sort((a, b) => domains[b].length - domains[a].length);
  const zone = zones.find((z) => hostname === domains[z] || hostname.endsWith(`.${domains[z]}`));
  if (!zone) {
    throw new ConfigError(
      `${where}: hostnames: '${hostname}' is outside the environment's domains (${domains.public}, ${domains.private}); ` +
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
