import { Release, releaseFileName } from '../environments/releases';
import type { DataStoreOverride, Environment, PlatformSettings, ServiceOverride } from '../environments/schema';
import { ConfigError } from './errors';
import type { DnsZone } from './exposure';
import type { BackupRecord, RestorePlan } from './data-store-backup';
import type { HttpMetrics } from './http-metrics';
import { normalisePath } from './validation';

export type ComponentKind = 'service' | 'data-store' | 'external-database' | 'job';

/** The data stores the model runs itself; alerts and dashboards know their exporters' metrics. */
export type DataStoreEngine = 'mysql' | 'mongodb' | 'redis' | 'postgres';

/** A port a component serves, as its Service exposes it and its pods listen on it. */
export interface ComponentPort {
  readonly name: string;
  /** Port of the Service. */
  readonly port: number;
  /** Port the container listens on (what NetworkPolicies allow). */
  readonly containerPort: number;
}

/** A declared need of one component to talk to another of the same platform. */
export interface Dependency {
  /** Name of a service, data store or external database of the same platform. */
  readonly target: string;
  /** Names of the target's ports used. @default every port of the target */
  readonly ports?: readonly string[];
}

/** Who outside the platform's namespace reaches a component. */
export type TrafficSource =
  /** the NGINX ingress controller's pods */
  | 'ingress-nginx'
  /** an AWS load balancer (ALB/NLB) sending to pod IPs or node ports from the VPC */
  | 'aws-load-balancer';

/** How many pods of a component run. */
export interface ComponentScale {
  /** Replicas of a Deployment without HPA, members of a StatefulSet; with an HPA, the chart's starting point. */
  readonly replicas: number;
  /** The HPA's range, when one scales the component. */
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number };
  /** The count is part of the design and no environment may change it. @default false */
  readonly fixed?: boolean;
}

/** A listener of a load balancer in front of a component. */
export interface EntryPointListener {
  /** Port on the load balancer. */
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS';
  /** Container port the traffic reaches; absent for a listener that only redirects. */
  readonly containerPort?: number;
  /** Port this listener redirects to (HTTP → HTTPS). */
  readonly redirectTo?: number;
}

/** One way into a component from outside the cluster, as rendered (Ingress or Service of type LoadBalancer). */
export interface EntryPoint {
  /** What the hostnames' DNS records point at: the ingress-nginx controller's NLB, the environment's shared ALB, or an NLB of the component's own. */
  readonly via: 'nginx' | 'alb' | 'nlb';
  /** `public`: internet-facing, records in the public hosted zone; `private`: internal, private zone. */
  readonly zone: DnsZone;
  readonly hosts: readonly string[];
  /** Path prefixes routed to the component; empty when the load balancer takes the whole host. */
  readonly paths: readonly string[];
  readonly listeners: readonly EntryPointListener[];
  /** ALB: the ingress group whose one load balancer the environment's services share. */
  readonly group?: string;
  /** ALB: pod IPs (`ip`) or node ports of a NodePort Service (`instance`). */
  readonly targetType?: 'ip' | 'instance';
}

/** What the platform knows of one of its components; network policies and checks derive from it. */
export interface ComponentRecord {
  readonly name: string;
  readonly kind: ComponentKind;
  /** The chart (file) that renders it. */
  readonly chart: string;
  /** Labels of its pods; absent for external databases. */
  readonly podSelector?: Record<string, string>;
  readonly ports: readonly ComponentPort[];
  readonly dependsOn: readonly Dependency[];
  /** Container ports on which members of the component talk to each other (replica sets). */
  readonly peerPorts?: readonly number[];
  /** Outside traffic sources and the container ports they reach. */
  readonly exposedTo?: { readonly source: TrafficSource; readonly ports: readonly number[]; readonly targetType?: 'ip' | 'instance' }[];
  /** The pods call AWS APIs (IRSA role, egress to AWS endpoints). */
  readonly awsAccess?: boolean;
  /** Container port that serves Prometheus metrics. */
  readonly metricsPort?: number;
  /** Prometheus job of the scraped metrics (the Service the ServiceMonitor selects). */
  readonly metricsJob?: string;
  /** The service reports HTTP requests so, and must meet this availability. */
  readonly httpMetrics?: HttpMetrics & { readonly availabilityObjective: number };
  /** The service sends traces to the platform's OpenTelemetry Collector. */
  readonly emitsTraces?: boolean;
  /** A data store's scheduled backup (a CronJob). */
  readonly backup?: BackupRecord;
  /** A data store's restore procedure, rendered into the platform's restore/ folder. */
  readonly restore?: RestorePlan;
  /** For a data store: which one. */
  readonly engine?: DataStoreEngine;
  /** For an external database: where it lives. */
  readonly external?: { readonly host: string; readonly port: number };
  /** Pods that run (services, data stores). */
  readonly scale?: ComponentScale;
  /** Ways in from outside the cluster. @default none */
  readonly entryPoints?: readonly EntryPoint[];
  /** Data stores and external databases: the engine as people name it (`MySQL`), for diagrams. */
  readonly engineName?: string;
  /** Data stores: how the members relate, e.g. `replica set rs0`. */
  readonly membersRole?: string;
}

/**
 * Everything a chart of one platform in one environment needs: the validated environment, the platform's
 * settings in it, and the registry its components record themselves in.
 */
export class PlatformContext {
  private readonly components = new Map<string, ComponentRecord>();
  private readonly usedOverrides = new Set<string>();
  private readonly usedReleases = new Set<string>();

  constructor(
    public readonly env: Environment,
    public readonly platform: string,
    public readonly settings: PlatformSettings,
    /** Shared by every platform of the environment: they share its load balancers and DNS zones. */
    public readonly routes: RouteRegistry = new RouteRegistry(),
  ) {}

  /** Every platform lives in its own namespace, named after it (prefixed in a review environment: `review-42-storefront`). */
  public get namespace(): string {
    return `${this.env.review?.namespacePrefix ?? ''}${this.platform}`;
  }

  /** external-dns publishes this environment's hostnames (not a review environment's, unless it asks). */
  public get publishDns(): boolean {
    return this.env.review?.publishDns ?? true;
  }

  /** `environment prod, service order-service`: the start of every error message about a component. */
  public where(component: string, kind: ComponentKind = 'service'): string {
    return `environment ${this.env.name}, ${kind === 'service' ? 'service' : kind} ${component} (platform ${this.platform})`;
  }

  public serviceOverride(name: string): ServiceOverride {
    this.usedOverrides.add(`services.${name}`);
    return this.settings.services[name] ?? {};
  }

  /** The service's version in this environment (`releases/<env>.json`), if recorded. */
  public release(service: string): Release | undefined {
    this.usedReleases.add(service);
    return this.env.releases[this.platform]?.[service];
  }

  public dataStoreOverride(name: string): DataStoreOverride {
    this.usedOverrides.add(`dataStores.${name}`);
    return this.settings.dataStores[name] ?? {};
  }

  public register(record: ComponentRecord): void {
    if (this.components.has(record.name)) {
      throw new ConfigError(`${this.where(record.name, record.kind)}: a component of that name already exists in the platform`);
    }
    this.components.set(record.name, record);
  }

  public component(name: string): ComponentRecord | undefined {
    return this.components.get(name);
  }

  /** Some pod of the platform is an IP target of an AWS load balancer (its namespace needs readiness gates). */
  public get hasLoadBalancerIpTargets(): boolean {
    return this.allComponents.some((c) => (c.exposedTo ?? []).some((e) => e.source === 'aws-load-balancer' && e.targetType === 'ip'));
  }

  public get allComponents(): readonly ComponentRecord[] {
    return [...this.components.values()];
  }

  /**
   * After every chart is built: an override for a component that does not exist is a typo that would
   * silently do nothing, and a dependency on an unknown component would render a policy for nothing.
   */
  public checkReferences(): void {
    for (const [kind, overrides] of [['services', this.settings.services], ['dataStores', this.settings.dataStores]] as const) {
      for (const name of Object.keys(overrides)) {
        if (!this.usedOverrides.has(`${kind}.${name}`)) {
          const known = this.allComponents
            .filter((c) => (kind === 'services' ? c.kind === 'service' : c.kind === 'data-store'))
            .map((c) => c.name);
          throw new ConfigError(
            `environment ${this.env.name}, service ${name}: platforms.${this.platform}.${kind}.${name} overrides a ` +
              `component that platform ${this.platform} does not have (it has: ${known.join(', ') || 'none'}); fix the name in environments/${this.env.name}.ts`,
          );
        }
      }
    }
    for (const service of Object.keys(this.env.releases[this.platform] ?? {})) {
      if (!this.usedReleases.has(service)) {
        const known = this.allComponents.filter((c) => c.kind === 'service').map((c) => c.name);
        throw new ConfigError(
          `environment ${this.env.name}: ${releaseFileName(this.env.name)}: "${this.platform}"."${service}" is not a service of ` +
            `platform ${this.platform} (services: ${known.join(', ') || 'none'})`,
        );
      }
    }
    for (const component of this.components.values()) {
      for (const dep of component.dependsOn) {
        const target = this.components.get(dep.target);
        if (!target) {
          throw new ConfigError(`${this.where(component.name, component.kind)}: dependsOn names '${dep.target}', which is not a component of the platform`);
        }
        for (const port of dep.ports ?? []) {
          if (!target.ports.some((p) => p.name === port)) {
            throw new ConfigError(
              `${this.where(component.name, component.kind)}: dependsOn ${dep.target} port '${port}' does not exist ` +
                `(ports: ${target.ports.map((p) => p.name).join(', ')})`,
            );
          }
        }
      }
    }
  }
}

/**
 * Who claimed which host and path in an environment. Two claims on one route would shadow each other, and
 * one hostname can only point at one load balancer (its DNS record has one target), so a host served by the
 * NGINX controller cannot also be an ALB's or an NLB's.
 */
export class RouteRegistry {
  /** Host → path ('*' for the whole host) → owner. */
  private readonly routes = new Map<string, Map<string, string>>();
  private readonly entryPoints = new Map<string, { readonly entryPoint: string; readonly owner: string }>();

  /**
   * @param owner e.g. `sales-order/customer-service`
   * @param entryPoint the load balancer the host's record points at, e.g. `nginx`, `alb-internet-facing`, `nlb`
   * @param path a path prefix, or '*' when the load balancer takes the whole host (an NLB)
   */
  public claim(where: string, owner: string, host: string, requestedPath: string, entryPoint: string): void {
    // Prefix paths match whole path elements: /api/orders/ is the same route as /api/orders.
    const path = requestedPath === '*' ? requestedPath : normalisePath(requestedPath);
    const served = this.entryPoints.get(host);
    if (served && served.entryPoint !== entryPoint) {
      throw new ConfigError(`${where}: host ${host} is already served by the ${served.entryPoint} load balancer of ${served.owner}; a hostname can point at one load balancer only`);
    }
    const paths = this.routes.get(host) ?? new Map<string, string>();
    // '*' (a whole host) collides with any path on the host; a path collides with the same path or with '*'.
    const holder = path === '*'
      ? [...paths.values()].find((o) => o !== owner)
      : [paths.get(path), paths.get('*')].find((o) => o !== undefined && o !== owner);
    if (holder !== undefined) {
      throw new ConfigError(
        `${where}: host ${host} path ${path === '*' ? '(all)' : requestedPath} is already routed to ${holder}` +
          `${requestedPath !== path ? ` (as ${path}: a trailing slash makes no other route)` : ''}; give one of them another host or path`,
      );
    }
    this.entryPoints.set(host, { entryPoint, owner: served?.owner ?? owner });
    paths.set(path, owner);
    this.routes.set(host, paths);
  }
}
