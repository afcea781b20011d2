import type { PlatformContext } from '../platform-context';
import type { ComponentRecord, ComponentScale, EntryPoint } from '../component-record';
import type { KubeObject } from '../kube-object';

/**
 * The topology of one platform in one environment, as plain data: what runs, how it is reached from outside,
 * and every flow its NetworkPolicies allow. Diagrams (lib/diagrams/documents.ts) and `npm run diff`'s topology
 * summary are drawn from this, and it is committed as `docs/platforms/topology.json`.
 */
export interface PlatformTopology {
  readonly platform: string;
  readonly description: string;
  readonly namespace: string;
  /** The cluster's VPC: load balancers and RDS databases send and listen from inside it. */
  readonly vpcCidr: string;
  readonly services: readonly ServiceTopology[];
  readonly dataStores: readonly DataStoreTopology[];
  /** Components of a kind the diagram has no shape of its own for (jobs, collectors). */
  readonly others: readonly { readonly name: string; readonly kind: string; readonly awsAccess: boolean }[];
  readonly entryPoints: readonly (EntryPoint & { readonly service: string })[];
  /** Sorted by source, then destination. */
  readonly flows: readonly Flow[];
}

export interface ServiceTopology {
  readonly name: string;
  readonly scale: ComponentScale;
  /** The pods assume an IAM role (IRSA). */
  readonly awsAccess: boolean;
}

export interface DataStoreTopology {
  readonly name: string;
  readonly engine: string;
  /** `in-cluster`: a StatefulSet of this platform; `external`: outside the cluster (Amazon RDS), reached by an ExternalName Service. */
  readonly location: 'in-cluster' | 'external';
  /** In-cluster: the members' pod names. */
  readonly members?: readonly string[];
  readonly membersRole?: string;
  /** External: `host:port`. */
  readonly endpoint?: string;
}

/**
 * One flow the NetworkPolicies allow. Endpoints are component names of the platform, or:
 * `*` (every pod of the namespace), `pods:<namespace>/<app>` (pods of another namespace),
 * `cidr:<block>` (addresses outside the pod network).
 */
export interface Flow {
  readonly from: string;
  readonly to: string;
  /** `TCP 8080`, `UDP 53`, or `any` when the rule names no port. */
  readonly ports: readonly string[];
  /** Set when the policy allows an address block and the model says which component lives there (an RDS database in the VPC). */
  readonly via?: string;
}

export const EVERY_POD = '*';

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined;
interface Peer { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } }
interface PolicyPort { protocol?: string; port?: number | string; endPort?: number }
interface Rule { from?: Peer[]; to?: Peer[]; ports?: PolicyPort[] }
interface PolicySpec { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] }

/** A set of ports; `all` when a rule names none. */
type PortSet = 'all' | ReadonlySet<string>;

const portsOf = (ports: readonly PolicyPort[] | undefined): PortSet =>
  !ports || ports.length === 0 ? 'all' : new Set(ports.map((p) => `${p.protocol ?? 'TCP'} ${p.port === undefined ? 'any' : p.endPort ? `${p.port}-${p.endPort}` : p.port}`));

function union(a: PortSet | undefined, b: PortSet): PortSet {
  if (a === undefined) return b;
  if (a === 'all' || b === 'all') return 'all';
  return new Set([...a, ...b]);
}

function intersect(a: PortSet, b: PortSet): PortSet {
  if (a === 'all') return b;
  if (b === 'all') return a;
  const covers = (set: ReadonlySet<string>, port: string) => set.has(port) || set.has(`${port.split(' ')[0]} any`);
  return new Set([...a].filter((p) => covers(b, p)).concat([...b].filter((p) => covers(a, p))));
}

const isEmpty = (s: PortSet) => s !== 'all' && s.size === 0;
const portList = (s: PortSet): string[] => (s === 'all' ? ['any'] : [...s].sort(byPort));

function byPort(a: string, b: string): number {
  const [pa, na] = a.split(' ');
  const [pb, nb] = b.split(' ');
  return pa !== pb ? (pa < pb ? 1 : -1) : (parseInt(na, 10) || 0) - (parseInt(nb, 10) || 0);
}

/**
 * The pods a label selector picks, looked up by its first label rather than tried one by one: a platform's
 * policies times its pods was most of the topology of a thousand services.
 */
class PodsByLabel {
  private readonly byLabel = new Map<string, ComponentRecord[]>();

  constructor(private readonly pods: readonly ComponentRecord[]) {
    for (const pod of pods) {
      for (const [key, value] of Object.entries(pod.podSelector ?? {})) {
        const label = `${key}=${value}`;
        const carrying = this.byLabel.get(label);
        if (carrying) carrying.push(pod);
        else this.byLabel.set(label, [pod]);
      }
    }
  }

  /** In the order of the registry; an empty selector picks every pod. */
  public select(selector: Selector): readonly ComponentRecord[] {
    const wanted = Object.entries(selector?.matchLabels ?? {});
    if (wanted.length === 0) return this.pods;
    const [key, value] = wanted[0];
    return (this.byLabel.get(`${key}=${value}`) ?? []).filter((pod) => wanted.every(([k, v]) => pod.podSelector![k] === v));
  }
}

interface RuleEntry { readonly endpoints: readonly string[]; readonly ports: PortSet; readonly wide: boolean }

/**
 * The platform's topology from its component registry and the NetworkPolicies the render derived from it.
 * The flows are read from the policies, not from the registry, so the picture shows what Kubernetes will
 * enforce: a flow appears only when the source may send (egress) and the destination may receive (ingress).
 */
export function platformTopology(context: PlatformContext, description: string, policies: readonly KubeObject[]): PlatformTopology {
  const components = context.allComponents;
  const vpc = context.env.cluster.vpc_cidr;
  const pods = components.filter((c) => c.podSelector);
  const byName = new Map(components.map((c) => [c.name, c]));
  const podsByLabel = new PodsByLabel(pods);

  const resolve = (peer: Peer | undefined, namespace: string): string[] => {
    if (!peer) return [...pods.map((c) => c.name), 'pods:*/*', 'cidr:0.0.0.0/0'];
    if (peer.ipBlock) return [`cidr:${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(',')}` : ''}`];
    const otherNamespace = peer.namespaceSelector
      ? (peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? '*')
      : namespace;
    if (otherNamespace !== namespace) {
      const app = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? peer.podSelector?.matchLabels?.['k8s-app'] ?? '*';
      return [`pods:${otherNamespace}/${app}`];
    }
    return podsByLabel.select(peer.podSelector).map((c) => c.name);
  };

  const egress = new Map<string, RuleEntry[]>();
  const ingress = new Map<string, RuleEntry[]>();
  const isolated = { Egress: new Set<string>(), Ingress: new Set<string>() };
  for (const policy of policies) {
    if (policy.kind !== 'NetworkPolicy') continue;
    const spec = (policy as unknown as { spec: PolicySpec }).spec;
    const namespace = policy.metadata.namespace ?? context.namespace;
    const selected = podsByLabel.select(spec.podSelector);
    const wide = Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0;
    const types = spec.policyTypes ?? ['Ingress', ...(spec.egress ? ['Egress'] : [])];
    for (const type of ['Egress', 'Ingress'] as const) {
      if (!types.includes(type)) continue;
      for (const c of selected) isolated[type].add(c.name);
      const rules = (type === 'Egress' ? spec.egress : spec.ingress) ?? [];
      const entries = rules.map((rule) => ({
        endpoints: (type === 'Egress' ? rule.to : rule.from)?.flatMap((p) => resolve(p, namespace)) ?? resolve(undefined, namespace),
        ports: portsOf(rule.ports),
        wide,
      }));
      const map = type === 'Egress' ? egress : ingress;
      for (const c of selected) map.set(c.name, [...(map.get(c.name) ?? []), ...entries]);
    }
  }

  const flows = new Map<string, { from: string; to: string; ports: PortSet; via?: string }>();
  const add = (from: string, to: string, ports: PortSet, via?: string) => {
    if (isEmpty(ports)) return;
    const key = `${from}\0${to}\0${via ?? ''}`;
    const known = flows.get(key);
    flows.set(key, { from, to, ports: union(known?.ports, ports), ...(via ? { via } : {}) });
  };
  /** Ports `self` allows towards (egress) or from (ingress) `other`; `all` when no policy isolates it that way. */
  const allowedPorts = (self: string, other: string, type: 'Egress' | 'Ingress'): PortSet => {
    if (!isolated[type].has(self)) return 'all';
    let ports: PortSet = new Set();
    for (const e of (type === 'Egress' ? egress : ingress).get(self) ?? []) if (e.endpoints.includes(other)) ports = union(ports, e.ports);
    return ports;
  };

  // Pod to pod inside the namespace: both the sender's egress and the receiver's ingress must allow it.
  const candidates = new Set<string>();
  for (const c of pods) {
    for (const e of egress.get(c.name) ?? []) for (const to of e.endpoints) if (byName.has(to)) candidates.add(`${c.name}\0${to}`);
    for (const e of ingress.get(c.name) ?? []) for (const from of e.endpoints) if (byName.has(from)) candidates.add(`${from}\0${c.name}`);
  }
  for (const pair of candidates) {
    const [from, to] = pair.split('\0');
    add(from, to, intersect(allowedPorts(from, to, 'Egress'), allowedPorts(to, from, 'Ingress')));
  }

  // Across the namespace boundary only this side's policy is ours: it is the flow.
  const externalsBehind = (c: ComponentRecord) => c.dependsOn.map((d) => byName.get(d.target)!).filter((t) => t?.external);
  for (const c of pods) {
    for (const e of egress.get(c.name) ?? []) {
      for (const to of e.endpoints.filter((x) => !byName.has(x) && x !== EVERY_POD)) {
        const from = e.wide ? EVERY_POD : c.name;
        let ports = e.ports;
        // An address block the model places a database in (RDS in the VPC): draw the flow to the database.
        if (to === `cidr:${vpc}` && !e.wide) {
          for (const db of externalsBehind(c)) {
            const dbPorts = intersect(ports, new Set(db.ports.map((p) => `TCP ${p.containerPort}`)));
            add(c.name, db.name, dbPorts, to);
            if (ports !== 'all' && !isEmpty(dbPorts)) ports = new Set([...ports].filter((p) => !(dbPorts as ReadonlySet<string>).has(p)));
          }
        }
        add(from, to, ports);
      }
    }
    for (const e of ingress.get(c.name) ?? []) {
      for (const from of e.endpoints.filter((x) => !byName.has(x) && x !== EVERY_POD)) add(from, e.wide ? EVERY_POD : c.name, e.ports);
    }
  }

  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    platform: context.platform,
    description,
    namespace: context.namespace,
    vpcCidr: vpc,
    services: components.filter((c) => c.kind === 'service').map((c) => ({ name: c.name, scale: c.scale ?? { replicas: 1 }, awsAccess: c.awsAccess === true })),
    dataStores: components.filter(isDataStore).map((c): DataStoreTopology => (c.external
      ? { name: c.name, engine: c.engineName ?? 'database', location: 'external', endpoint: `${c.external.host}:${c.external.port}` }
      : {
          name: c.name,
          engine: c.engineName ?? c.engine ?? c.kind,
          location: 'in-cluster',
          members: Array.from({ length: c.scale?.replicas ?? 1 }, (_, i) => `${c.name}-${i}`),
          ...(c.membersRole ? { membersRole: c.membersRole } : {}),
        })),
    others: components.filter((c) => c.kind !== 'service' && !isDataStore(c)).map((c) => ({
      name: c.name,
      kind: c.backup ? 'backup CronJob' : c.restore ? 'restore Job, applied by hand' : c.kind,
      awsAccess: c.awsAccess === true,
    })),
    entryPoints: components.flatMap((c) => (c.entryPoints ?? []).map((e) => ({ service: c.name, ...e }))),
    flows: [...flows.values()]
      .sort((a, b) => order(a.from, b.from) || order(a.to, b.to) || order(a.via ?? '', b.via ?? ''))
      .map((f) => ({ from: f.from, to: f.to, ports: portList(f.ports), ...(f.via ? { via: f.via } : {}) })),
  };
}

const isDataStore = (c: ComponentRecord) => c.kind === 'data-store' || c.kind === 'external-database';

/** An endpoint of a flow in words, e.g. `prometheus (namespace monitoring)`. */
export function describeEndpoint(id: string, vpc?: string): string {
  if (id === EVERY_POD) return 'every pod of the namespace';
  if (id.startsWith('pods:')) {
    const [namespace, app] = id.slice(5).split('/');
    return `${app === '*' ? 'every pod' : app} (namespace ${namespace})`;
  }
  if (id.startsWith('cidr:')) {
    const block = id.slice(5);
    if (block === '0.0.0.0/0') return 'anywhere (0.0.0.0/0)';
    return block === vpc ? `the VPC (${block})` : block;
  }
  return id;
}

/** `×3`, `HPA 3–12`, `×1, fixed`. */
export function describeScale(scale: ComponentScale): string {
  if (scale.autoscaling) return `HPA ${scale.autoscaling.minReplicas}–${scale.autoscaling.maxReplicas}`;
  return `×${scale.replicas}${scale.fixed ? ', fixed' : ''}`;
}
