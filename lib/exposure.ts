/** Which Route 53 zone a hostname lives in; external-dns keeps one instance per zone type. */
export type DnsZone = 'public' | 'private';

/**
 * Label on every Ingress and LoadBalancer Service that carries a DNS name: `public` or `private`. Each
 * external-dns instance selects its zone's objects with `--label-filter`, so a private hostname (which in prod
 * lies below the public domain) never gets a record in the public zone.
 */
export const DNS_ZONE_LABEL = 'platform-manifests/dns-zone';

/** A hostname below one of the environment's domains, e.g. `{ subdomain: 'shop', zone: 'public' }`. */
export interface HostName {
  /** Left-most labels; the zone's domain is appended. Use '' for the apex. */
  readonly subdomain: string;
  readonly zone: DnsZone;
}

/**
 * A Service port that a LoadBalancer Service opens. It terminates TLS on the load balancer with the hostname's
 * ACM certificate, or it states why it stays plain (an NLB forwards TCP and cannot redirect HTTP to HTTPS).
 */
export type LoadBalancerPort = {
  readonly name: string;
  /** Port on the load balancer. */
  readonly port: number;
  /** Named container port it forwards to. */
  readonly targetPort: string;
} & (
  | { readonly tls: true; readonly plaintext?: undefined }
  | {
    readonly tls?: false;
    /** Why this port carries plain traffic; rendered beside the port and required for every non-TLS port. */
    readonly plaintext: string;
  }
);

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

/** A hostname resolved against the environment's domains (lib/exposure-plan.ts). */
export interface ResolvedHost {
  readonly hostname: string;
  readonly zone: DnsZone;
  /** ACM certificate covering it, if the cluster facts have one. */
  readonly certificateArn?: string;
}
