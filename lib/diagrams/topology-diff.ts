import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplicationTopology } from './cluster-topology';
import { DIAGRAMS_FOLDER, EnvironmentTopology, TOPOLOGY_FILE, TopologyFile } from './documents';
import { describeEndpoint, describeScale, DataStoreTopology, PlatformTopology } from './platform-topology';

/** Where the committed topology lives in the repository. */
export const TOPOLOGY_PATH = `docs/${DIAGRAMS_FOLDER}/${TOPOLOGY_FILE}`;

/** One change of the topology, in words, for one environment and platform (or `cluster`). */
export interface TopologyChange {
  readonly environment: string;
  readonly scope: string;
  readonly text: string;
}

const keyed = <T>(items: readonly T[], key: (t: T) => string) => new Map(items.map((t) => [key(t), t]));

function compare<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>, on: { added(t: T): string; removed(t: T): string; changed(b: T, a: T): string | undefined }): string[] {
  const out: string[] = [];
  for (const [k, a] of after) {
    const b = before.get(k);
    if (b === undefined) out.push(on.added(a));
    else {
      const text = on.changed(b, a);
      if (text) out.push(text);
    }
  }
  for (const [k, b] of before) if (!after.has(k)) out.push(on.removed(b));
  return out;
}

const ports = (list: readonly string[]) => list.join(', ');
const where = (d: DataStoreTopology) =>
  d.location === 'external' ? `Amazon RDS ${d.engine} outside the cluster (${d.endpoint})` : `in-cluster ${d.engine} StatefulSet, ${d.members?.length ?? 0} member(s)`;

interface Host { readonly hostname: string; readonly zone: string; readonly via: string; readonly service: string; readonly tls: boolean; readonly listeners: string }

function hostsOf(t: PlatformTopology): Host[] {
  return t.entryPoints.flatMap((e) => e.hosts.map((hostname) => ({
    hostname,
    zone: e.zone,
    via: e.via === 'nginx' ? 'ingress-nginx' : e.via.toUpperCase(),
    service: e.service,
    tls: e.listeners.some((l) => l.protocol === 'HTTPS' || l.protocol === 'TLS'),
    listeners: e.listeners.map((l) => `${l.protocol} ${l.port}${l.redirectTo ? ` → ${l.redirectTo}` : ''}`).join(', '),
  })));
}

/** What changed between two topologies of one platform. */
function platformChanges(before: PlatformTopology, after: PlatformTopology): string[] {
  // The VPC is named as such, so a flow from "the VPC" is the same flow in environments with other CIDRs.
  type Named = { from: string; to: string; ports: readonly string[]; via?: string };
  const named = (t: PlatformTopology) => t.flows.map((f): Named => {
    const name = (id: string) => (id === `cidr:${t.vpcCidr}` ? 'the VPC' : describeEndpoint(id, t.vpcCidr));
    return { from: name(f.from), to: name(f.to), ports: f.ports, ...(f.via ? { via: name(f.via) } : {}) };
  });
  const flowName = (f: Named) => `\`${f.from} → ${f.to}\``;
  const allows = (f: Named) => `${ports(f.ports)}${f.via ? `, allowed as ${f.via}` : ''}`;
  const flowKey = (f: Named) => `${f.from}\0${f.to}`;
  const hostKey = (h: Host) => `${h.hostname}\0${h.service}`;
  return [
    ...(before.vpcCidr !== after.vpcCidr ? [`VPC CIDR ${after.vpcCidr} (was ${before.vpcCidr})`] : []),
    ...compare(keyed(named(before), flowKey), keyed(named(after), flowKey), {
      added: (f) => `new allowed flow ${flowName(f)} (${allows(f)})`,
      removed: (f) => `flow ${flowName(f)} no longer allowed (was ${allows(f)})`,
      changed: (b, a) => (allows(b) !== allows(a) ? `flow ${flowName(a)} now allows ${allows(a)} (was ${allows(b)})` : undefined),
    }),
    ...compare(keyed(hostsOf(before), hostKey), keyed(hostsOf(after), hostKey), {
      added: (h) => `new ${h.zone} host \`${h.hostname}\` → ${h.service} (${h.via}, ${h.listeners}${h.tls ? '' : ', no TLS'})`,
      removed: (h) => `${h.zone} host \`${h.hostname}\` → ${h.service} removed`,
      changed: (b, a) => {
        const parts = [
          ...(b.zone !== a.zone ? [`now ${a.zone} (was ${b.zone})`] : []),
          ...(b.via !== a.via ? [`now through ${a.via} (was ${b.via})`] : []),
          ...(b.tls !== a.tls ? [a.tls ? 'now with TLS' : 'TLS dropped'] : []),
          ...(b.listeners !== a.listeners ? [`listeners ${a.listeners} (were ${b.listeners})`] : []),
        ];
        return parts.length > 0 ? `host \`${a.hostname}\` → ${a.service}: ${parts.join('; ')}` : undefined;
      },
    }),
    ...compare(keyed(before.dataStores, (d) => d.name), keyed(after.dataStores, (d) => d.name), {
      added: (d) => `new data store \`${d.name}\`: ${where(d)}`,
      removed: (d) => `data store \`${d.name}\` removed (was ${where(d)})`,
      changed: (b, a) => {
        if (b.location !== a.location) {
          return `data store \`${a.name}\` moved ${a.location === 'external' ? 'out of' : 'into'} the cluster: ${where(a)} (was ${where(b)})`;
        }
        return where(b) !== where(a) ? `data store \`${a.name}\`: ${where(a)} (was ${where(b)})` : undefined;
      },
    }),
    ...compare(keyed(before.services, (s) => s.name), keyed(after.services, (s) => s.name), {
      added: (s) => `new service \`${s.name}\` (${describeScale(s.scale)})`,
      removed: (s) => `service \`${s.name}\` removed`,
      changed: (b, a) => {
        const parts = [
          ...(describeScale(b.scale) !== describeScale(a.scale) ? [`${describeScale(a.scale)} (was ${describeScale(b.scale)})`] : []),
          ...(b.awsAccess !== a.awsAccess ? [a.awsAccess ? 'now has an IAM role (IRSA)' : 'no longer has an IAM role'] : []),
        ];
        return parts.length > 0 ? `service \`${a.name}\`: ${parts.join('; ')}` : undefined;
      },
    }),
  ];
}

function clusterChanges(before: EnvironmentTopology['cluster'], after: EnvironmentTopology['cluster']): string[] {
  const source = (a: ApplicationTopology) => ('folder' in a.source ? `folder ${a.source.folder}` : `Helm ${a.source.chart} ${a.source.version}`);
  return compare(keyed(before.applications, (a) => a.name), keyed(after.applications, (a) => a.name), {
    added: (a) => `new Application \`${a.name}\` in wave ${a.wave} (${source(a)})`,
    removed: (a) => `Application \`${a.name}\` removed (was wave ${a.wave}, ${source(a)})`,
    changed: (b, a) => {
      const parts = [
        ...(b.wave !== a.wave ? [`wave ${a.wave} (was ${b.wave})`] : []),
        ...(source(b) !== source(a) ? [`${source(a)} (was ${source(b)})`] : []),
      ];
      return parts.length > 0 ? `Application \`${a.name}\`: ${parts.join('; ')}` : undefined;
    },
  });
}

/** Every change between two committed topologies, environment by environment. Pure. */
export function topologyChanges(before: TopologyFile, after: TopologyFile): TopologyChange[] {
  const changes: TopologyChange[] = [];
  const envsBefore = keyed(before.environments, (e) => e.environment);
  for (const env of after.environments) {
    const old = envsBefore.get(env.environment);
    const push = (scope: string) => (text: string) => changes.push({ environment: env.environment, scope, text });
    if (!old) {
      push('cluster')(`new environment (${env.platforms.length} platform(s))`);
      continue;
    }
    const oldPlatforms = keyed(old.platforms, (p) => p.platform);
    for (const p of env.platforms) {
      const b = oldPlatforms.get(p.platform);
      if (!b) push(p.platform)('new platform in this environment');
      else platformChanges(b, p).forEach(push(p.platform));
    }
    for (const p of old.platforms) if (!env.platforms.some((x) => x.platform === p.platform)) push(p.platform)('platform removed from this environment');
    clusterChanges(old.cluster, env.cluster).forEach(push('cluster'));
  }
  for (const env of before.environments) {
    if (!after.environments.some((e) => e.environment === env.environment)) changes.push({ environment: env.environment, scope: 'cluster', text: 'environment removed' });
  }
  return changes;
}

/** The changes as the first section of `npm run diff`'s Markdown; cut at `maxLength` characters. */
export function formatTopologyChanges(changes: readonly TopologyChange[] | undefined, base: string, maxLength = 5000): string {
  const lines = [`### Topology changes compared with \`${base}\``, ''];
  if (changes === undefined) {
    lines.push(`\`${base}\` has no \`${TOPOLOGY_PATH}\` (it predates the diagrams); nothing to compare.`);
  } else if (changes.length === 0) {
    lines.push('No topology change: the same flows, hosts, data stores, services and Applications in every environment.');
  } else {
    let length = 0;
    for (const [i, c] of changes.entries()) {
      const line = `- **${c.environment} · ${c.scope}**: ${c.text}`;
      if (length + line.length > maxLength) {
        lines.push(`- … and ${changes.length - i} more; see the diagram diff in \`docs/platforms/\``);
        break;
      }
      lines.push(line);
      length += line.length + 1;
    }
  }
  return `${lines.join('\n')}\n\n`;
}

/** Puts the topology section first, after a leading HTML comment (the PR comment's marker) if there is one. */
export function prependTopology(markdown: string, section: string): string {
  const marker = markdown.match(/^<!--.*?-->\n/);
  return marker ? `${marker[0]}${section}${markdown.slice(marker[0].length)}` : `${section}${markdown}`;
}

/**
 * The topology section of `npm run diff`: the committed topology at `commit` against the working tree's.
 * @returns Markdown, or an empty string when the working tree has no topology (nothing rendered yet)
 */
export function topologySection(root: string, commit: string, base: string): string {
  const headPath = join(root, TOPOLOGY_PATH);
  if (!existsSync(headPath)) return '';
  const head = JSON.parse(readFileSync(headPath, 'utf8')) as TopologyFile;
  const r = spawnSync('git', ['show', `${commit}:${TOPOLOGY_PATH}`], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const before = r.status === 0 ? (JSON.parse(r.stdout) as TopologyFile) : undefined;
  return formatTopologyChanges(before ? topologyChanges(before, head) : undefined, base);
}
