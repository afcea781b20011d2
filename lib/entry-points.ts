import type { ClusterFacts } from '../environments/cluster-facts';
import type { Exposure } from './exposure';
import { ExposurePlan, nginxLoadBalancer } from './exposure-plan';
import type { EntryPoint } from './component-record';

/** What a service's entry points are drawn from besides its exposure plan. */
export interface EntryPointContext {
  readonly cluster: ClusterFacts;
  readonly envName: string;
  /** The service's main container port (`http`). */
  readonly port: number;
  readonly containerPorts: readonly { readonly name: string; readonly port: number }[];
  readonly nodePort: boolean;
}

/**
 * The ways into a service as its exposure plan (lib/exposure-plan.ts) decided them, one per load balancer and
 * DNS zone, for the platform's registry and the diagrams: by the same rules as the renderers (lib/ingress.ts,
 * lib/load-balancer-service.ts, lib/ingress-nginx-controller.ts) — an ALB zone has TLS when every host of it
 * has a certificate, an NLB port when it is marked `tls`, NGINX hosts when the controller's NLB has the
 * public domain's certificate (and then redirects HTTP).
 */
export function entryPointsOf(exposure: Exposure, plan: ExposurePlan, c: EntryPointContext): EntryPoint[] {
  if (exposure.type === 'internal') return [];
  const zones = [...new Set(plan.hosts.map((h) => h.zone))].sort();
  return zones.map((zone): EntryPoint => {
    const hosts = plan.hosts.filter((h) => h.zone === zone);
    const common = { zone, hosts: hosts.map((h) => h.hostname) };
    if (exposure.type === 'load-balancer') {
      return {
        via: 'nlb',
        ...common,
        paths: [],
        listeners: exposure.ports.map((p) => ({ port: p.port, protocol: p.tls ? 'TLS' : 'TCP', containerPort: c.containerPorts.find((x) => x.name === p.targetPort)?.port })),
      };
    }
    const tls = exposure.type === 'nginx-ingress'
      ? nginxLoadBalancer(c.cluster).certificateArn !== undefined
      : hosts.every((h) => h.certificateArn !== undefined);
    const listeners: EntryPoint['listeners'] = tls
      ? [{ port: 80, protocol: 'HTTP', redirectTo: 443 }, { port: 443, protocol: 'HTTPS', containerPort: c.port }]
      : [{ port: 80, protocol: 'HTTP', containerPort: c.port }];
    if (exposure.type === 'nginx-ingress') return { via: 'nginx', ...common, paths: [...exposure.paths], listeners };
    return {
      via: 'alb',
      ...common,
      paths: [...(exposure.paths ?? ['/'])],
      listeners,
      group: `${c.envName}-${hosts[0].scheme}`,
      targetType: c.nodePort ? 'instance' : 'ip',
    };
  });
}
