import { Release, releaseFileName } from '../environments/releases';
import type { DataStoreOverride, Environment, PlatformSettings, ServiceOverride } from '../environments/schema';
import { ConfigError, ErrorSubject } from './errors';
import type { ComponentKind, ComponentRecord } from './component-record';
import { normalisePath } from './validation';


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

  /** Whom an error about a component concerns; its message starts `environment prod, service order-service (platform sales-order)`. */
  public subject(component: string, kind: ComponentKind = 'service'): ErrorSubject {
    return { environment: this.env.name, platform: this.platform, component: { name: component, kind } };
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
      throw new ConfigError(this.subject(record.name, record.kind), 'a component of that name already exists in the platform');
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
            this.subject(name, kind === 'services' ? 'service' : 'data-store'),
            `platforms.${this.platform}.${kind}.${name} overrides a ` +
              `component that platform ${this.platform} does not have (it has: ${known.join(', ') || 'none'}); fix the name in environments/${this.env.name}.ts`,
          );
        }
      }
    }
    for (const service of Object.keys(this.env.releases[this.platform] ?? {})) {
      if (!this.usedReleases.has(service)) {
        const known = this.allComponents.filter((c) => c.kind === 'service').map((c) => c.name);
        throw new ConfigError(
          { environment: this.env.name, file: releaseFileName(this.env.name) },
          `"${this.platform}"."${service}" is not a service of ` +
            `platform ${this.platform} (services: ${known.join(', ') || 'none'})`,
        );
      }
    }
    for (const component of this.components.values()) {
      for (const dep of component.dependsOn) {
        const target = this.components.get(dep.target);
        if (!target) {
          throw new ConfigError(this.subject(component.name, component.kind), `dependsOn names '${dep.target}', which is not a component of the platform`);
        }
        for (const port of dep.ports ?? []) {
          if (!target.ports.some((p) => p.name === port)) {
            throw new ConfigError(
              this.subject(component.name, component.kind),
              `dependsOn ${dep.target} port '${port}' does not exist ` +
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
   * @param subject whom an error names: the component and the file its exposure is declared in
   * @param owner e.g. `sales-order/customer-service`
   * @param entryPoint the load balancer the host's record points at, e.g. `nginx`, `alb-internet-facing`, `nlb`
   * @param path a path prefix, or '*' when the load balancer takes the whole host (an NLB)
   */
  public claim(subject: ErrorSubject, owner: string, host: string, requestedPath: string, entryPoint: string): void {
    // Prefix paths match whole path elements: /api/orders/ is the same route as /api/orders.
    const path = requestedPath === '*' ? requestedPath : normalisePath(requestedPath);
    const served = this.entryPoints.get(host);
    if (served && served.entryPoint !== entryPoint) {
      throw new ConfigError(subject, `host ${host} is already served by the ${served.entryPoint} load balancer of ${served.owner}; a hostname can point at one load balancer only`);
    }
    const paths = this.routes.get(host) ?? new Map<string, string>();
    // '*' (a whole host) collides with any path on the host; a path collides with the same path or with '*'.
    const holder = path === '*'
      ? [...paths.values()].find((o) => o !== owner)
      : [paths.get(path), paths.get('*')].find((o) => o !== undefined && o !== owner);
    if (holder !== undefined) {
      throw new ConfigError(
        subject,
        `host ${host} path ${path === '*' ? '(all)' : requestedPath} is already routed to ${holder}` +
          `${requestedPath !== path ? ` (as ${path}: a trailing slash makes no other route)` : ''}; give one of them another host or path`,
      );
    }
    this.entryPoints.set(host, { entryPoint, owner: served?.owner ?? owner });
    paths.set(path, owner);
    this.routes.set(host, paths);
  }
}
