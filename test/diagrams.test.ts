import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PLATFORMS } from '../charts';
import { runSynth } from '../cli/synth-command';
import { Flowchart } from '../lib/diagrams/mermaid';
import type { TopologyFile } from '../lib/diagrams/documents';
import type { PlatformContext } from '../lib/platform-context';
import { renderEnvironment } from '../lib/render/build';
import { loadCommitted, objects, ROOT, snapshotTree } from './helpers';
import { allowed } from './support/network-policy-evaluator';
import { committedRender } from './support/committed-render';

interface ParsedGraph {
  readonly error?: string;
  readonly type: string;
  readonly vertices: { id: string; text: string; shape: string | null }[];
  readonly edges: { from: string; to: string; text: string; stroke: string }[];
  readonly subgraphs: { id: string; title: string; nodes: string[] }[];
}

/**
 * Every diagram through the real mermaid parser, in one child process (mermaid is ESM and needs a DOM). Loading
 * mermaid and jsdom takes seconds, so what it answered is kept in .build/ by the SHA-256 of the diagrams, the
 * parse script and the installed mermaid and jsdom: the same question to the same parser is not asked twice.
 */
function parseWithMermaid(diagrams: readonly string[]): ParsedGraph[] {
  const script = join(ROOT, 'test/support/mermaid-parse.mjs');
  const input = JSON.stringify(diagrams);
  const installed = ['mermaid', 'jsdom'].map((p) => readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8'));
  const key = createHash('sha256').update([readFileSync(script, 'utf8'), ...installed, input].join('\0')).digest('hex');
  const cached = join(ROOT, '.build', 'mermaid-parse', `${key}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as ParsedGraph[];
  const r = spawnSync(process.execPath, [script], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`mermaid-parse.mjs failed: ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as ParsedGraph[];
  mkdirSync(dirname(cached), { recursive: true });
  writeFileSync(`${cached}.${process.pid}.tmp`, r.stdout);
  renameSync(`${cached}.${process.pid}.tmp`, cached);
  return parsed;
}

const mermaidBlocks = (markdown: string) => [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);

const result = committedRender();
const docs = result.docs!.get('platforms')!;
/** `<file>#<section>` → diagram text. */
const diagrams = new Map<string, string>();
for (const [file, content] of docs) {
  if (!file.endsWith('.md')) continue;
  for (const section of content.split(/^## /m).slice(1)) {
    const [title] = section.split('\n');
    for (const block of mermaidBlocks(section)) diagrams.set(`${file.replace(/\.md$/, '')}#${title}`, block);
  }
}
for (const [i, block] of mermaidBlocks(readFileSync(join(ROOT, 'docs/diagrams.md'), 'utf8')).entries()) diagrams.set(`docs/diagrams.md#example-${i}`, block);
const KNOWN_BAD = 'flowchart LR\n  a -->|"say "hi" now"| b';
let parsed: Map<string, ParsedGraph>;
let knownBad: ParsedGraph;
let escaped: ParsedGraph;

beforeAll(() => {
  const tricky = new Flowchart('LR');
  tricky.node('a', 'box', ['say "hi" <now> #1']);
  tricky.edge('a', tricky.node('b', 'cylinder', ['end']), 'solid', ['say "hi" now']);
  const out = parseWithMermaid([...diagrams.values(), KNOWN_BAD, tricky.toString()]);
  parsed = new Map([...diagrams.keys()].map((k, i) => [k, out[i]]));
  knownBad = out[diagrams.size];
  escaped = out[diagrams.size + 1];
});

const graph = (key: string): ParsedGraph => {
  const g = parsed.get(key);
  if (!g) throw new Error(`no diagram ${key} (have: ${[...parsed.keys()].join(', ')})`);
  if (g.error) throw new Error(`${key}: ${g.error}`);
  return g;
};
const edge = (g: ParsedGraph, from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to);
const vertex = (g: ParsedGraph, id: string) => g.vertices.find((v) => v.id === id);

describe('generated diagrams (docs/platforms/)', () => {
  test('committed docs/platforms/ equals a fresh render (run `npm run synth` and commit if this fails)', () => {
    const committed = snapshotTree(join(ROOT, 'docs/platforms'));
    expect([...committed.keys()]).toEqual([...docs.keys()]);
    for (const [path, content] of docs) expect(`${path}:\n${committed.get(path)}`).toBe(`${path}:\n${content}`);
  });

  test('one diagram per platform and environment, and one cluster view per environment', () => {
    const expected = [...PLATFORMS.map((p) => p.name), 'cluster'].flatMap((p) => result.environments.map((e) => `${p}#${e}`));
    expect([...diagrams.keys()].filter((k) => !k.startsWith('docs/')).sort()).toEqual(expected.sort());
  });

  test('mermaid parses every generated diagram as a flowchart', () => {
    for (const [key, g] of parsed) expect(`${key}: ${g.error ?? g.type}`).toBe(`${key}: flowchart-v2`);
  });

  test('the parse check fails on a known-bad diagram; labels with quotes, brackets and keywords are escaped', () => {
    expect(knownBad.error).toMatch(/Parse error on line 2/);
    expect(escaped.error).toBeUndefined();
    expect(escaped.vertices.map((v) => v.id)).toEqual(['a', 'b']);
  });

  test('`npm run synth` writes docs/platforms/ with dist/; `--env` leaves it as it is and says so', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'diagrams-'));
    try {
      for (const folder of ['dist', 'argocd', 'docs']) cpSync(join(ROOT, folder), join(scratch, folder), { recursive: true });
      rmSync(join(scratch, 'docs/platforms/storefront.md'));
      const synth = (...args: string[]) => {
        let stdout = '';
        const code = runSynth([...args, '--out', join(scratch, 'dist'), '--argocd-out', join(scratch, 'argocd'), '--docs-out', join(scratch, 'docs')], {
          cwd: ROOT, env: {}, stdout: (t) => { stdout += `${t}\n`; }, stderr: (t) => { throw new Error(t); },
        });
        return { code, stdout };
      };
      const one = synth('--env', 'dev');
      expect(one.code).toBe(0);
      expect(one.stdout).toContain('docs/platforms/ not updated');
      expect(snapshotTree(join(scratch, 'docs/platforms')).has('storefront.md')).toBe(false);
      const all = synth();
      expect(all.code).toBe(0);
      expect(all.stdout).not.toContain('not updated');
      expect(snapshotTree(join(scratch, 'docs/platforms'))).toEqual(snapshotTree(join(ROOT, 'docs/platforms')));
      expect(snapshotTree(join(scratch, 'docs')).get('diagrams.md')).toBe(readFileSync(join(ROOT, 'docs/diagrams.md'), 'utf8'));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('the topology file holds what the diagrams were drawn from', () => {
    const file = JSON.parse(docs.get('topology.json')!) as TopologyFile;
    expect(file.environments.map((e) => e.environment)).toEqual(result.environments);
  });
});

describe('facts on the parsed graphs', () => {
  test('allowed flows appear, denied ones do not (sales-order, dev)', () => {
    const g = graph('sales-order#dev');
    expect(edge(g, 'svc_order_service', 'svc_product_service')?.text).toBe('TCP 8080');
    expect(edge(g, 'svc_customer_service', 'db_customer_mysql')?.text).toBe('TCP 3306');
    expect(edge(g, 'svc_product_service', 'svc_order_service')).toBeUndefined();
    expect(edge(g, 'svc_user_service', 'db_customer_mysql')).toBeUndefined();
    expect(edge(g, 'svc_order_service', 'db_customer_mysql')).toBeUndefined();
    // Replica-set members talk to each other; the NGINX controller reaches each routed service by path.
    expect(edge(g, 'db_order_mongodb', 'db_order_mongodb')?.text).toBe('TCP 27017');
    expect(edge(g, 'nginx_public', 'svc_user_service')).toEqual(expect.objectContaining({ stroke: 'thick', text: '/api/users<br>TCP 8080' }));
    expect(edge(g, 'internet', 'nginx_public')?.text).toContain('sales.dev.example.com');
  });

  test('every pod-to-pod edge of every diagram is exactly what the rendered NetworkPolicies allow', () => {
    for (const environment of result.environments) {
      const contexts: PlatformContext[] = [];
      const files = renderEnvironment(loadCommitted(environment), PLATFORMS, undefined, (c) => contexts.push(c));
      const policies = objects(files).filter((o) => o.kind === 'NetworkPolicy');
      for (const context of contexts) {
        const g = graph(`${context.platform}#${environment}`);
        const pods = context.allComponents.filter((c) => c.podSelector);
        const idOf = (name: string) => g.vertices.find((v) => v.id.endsWith(`_${name.replace(/-/g, '_')}`) && /^(svc|db|cmp)_/.test(v.id))!.id;
        for (const from of pods) {
          for (const to of pods) {
            const ports = to.ports.map((p) => p.containerPort).filter((port) =>
              allowed(policies, { namespace: context.namespace, labels: from.podSelector }, { namespace: context.namespace, labels: to.podSelector }, port));
            const drawn = edge(g, idOf(from.name), idOf(to.name));
            const where = `${environment}/${context.platform}: ${from.name} → ${to.name}`;
            expect(`${where}: ${drawn?.text ?? 'no edge'}`).toBe(`${where}: ${ports.length > 0 ? ports.map((p) => `TCP ${p}`).join(' · ') : 'no edge'}`);
          }
        }
      }
    }
  });

  test('prod reaches Amazon RDS outside the cluster; dev and staging run PostgreSQL in the namespace', () => {
    const prod = graph('resource-hub#prod');
    expect(vertex(prod, 'db_resource_hub_postgres')?.text).toMatch(/Amazon RDS PostgreSQL<br>outside the cluster<br>resource-hub-prod\..*:5432/);
    expect(prod.subgraphs.find((s) => s.id === 'ns_resource_hub')!.nodes).not.toContain('db_resource_hub_postgres');
    expect(edge(prod, 'svc_api', 'db_resource_hub_postgres')?.text).toBe('TCP 5432<br>allowed as 10.30.0.0/16');
    for (const env of ['dev', 'staging']) {
      const g = graph(`resource-hub#${env}`);
      expect(vertex(g, 'db_resource_hub_postgres')?.text).toContain('PostgreSQL StatefulSet<br>1 member: resource-hub-postgres-0');
      expect(g.subgraphs.find((s) => s.id === 'ns_resource_hub')!.nodes).toContain('db_resource_hub_postgres');
      expect(edge(g, 'svc_api', 'db_resource_hub_postgres')?.text).toBe('TCP 5432');
    }
    expect(docs.get('resource-hub.md')).toMatch(/\| `resource-hub-postgres` \| in-cluster PostgreSQL StatefulSet, 1 member\(s\) \| in-cluster PostgreSQL StatefulSet, 1 member\(s\) \| Amazon RDS PostgreSQL, outside the cluster \|/);
  });

  test('egress to AWS APIs (IRSA) and to DNS, scraping by Prometheus', () => {
    const g = graph('resource-hub#prod');
    expect(edge(g, 'svc_api', 'aws_apis')?.text).toBe('TCP 443');
    expect(edge(g, 'svc_gateway', 'aws_apis')).toBeUndefined();
    expect(edge(g, 'ns_resource_hub', 'pods_kube_system_kube_dns')).toEqual(expect.objectContaining({ stroke: 'dotted', text: 'UDP 53 · TCP 53' }));
    expect(edge(g, 'pods_monitoring_prometheus', 'svc_api')?.text).toBe('TCP 9090');
  });

  test('exposures: load balancer, zone, hosts and TLS', () => {
    const storefront = graph('storefront#prod');
    expect(vertex(storefront, 'nlb_web_public')?.text).toBe('NLB internet-facing<br>of web');
    expect(edge(storefront, 'internet', 'nlb_web_public')?.text).toBe('shop.example.com<br>TCP 80 · TLS 443 · TCP 5000');
    const ports = graph('port-assignment#prod');
    expect(edge(ports, 'vpc_clients', 'alb_private')?.text).toContain('assignments.internal.example.com');
    expect(edge(ports, 'alb_private', 'svc_assignment_engine')).toBeDefined();
    expect(edge(ports, 'alb_public', 'svc_assignment_engine')).toBeUndefined();
    expect(edge(ports, 'internet', 'alb_public')?.text).toBe('ports.example.com<br>HTTP 80 → 443 · HTTPS 443');
    const toytrex = graph('toytrex#prod');
    expect(vertex(toytrex, 'alb_public')?.text).toContain('instance targets');
    expect(vertex(toytrex, 'db_toytrex_mariadb')?.text).toContain('Amazon RDS MariaDB');
  });

  test('cluster view: add-ons, Application waves in order, and the folder each Application owns', () => {
    const g = graph('cluster#prod');
    const chain = g.edges.filter((e) => e.stroke === 'thick').map((e) => `${e.from}→${e.to}`);
    expect(chain).toEqual(['root→wave_m10', 'wave_m10→wave_m5', 'wave_m5→wave_m4', 'wave_m4→wave_m3', 'wave_m3→wave_m2', 'wave_m2→wave_m1', 'wave_m1→wave_0']);
    expect(edge(g, 'app_sales_order', 'dir_sales_order')?.text).toBe('owns');
    expect(vertex(g, 'dir_sales_order')?.text).toBe('dist/prod/sales-order');
    expect(g.subgraphs.find((s) => s.id === 'wave_m1')!.nodes).toContain('app_ingress_nginx');
    // Add-ons are rendered folders like everything else: the Application owns dist/<env>/<add-on>, its CRDs their own.
    expect(vertex(g, 'app_karpenter')?.text).toBe('karpenter<br>project addons');
    expect(edge(g, 'app_karpenter', 'dir_karpenter')?.text).toBe('owns');
    expect(vertex(g, 'dir_karpenter_crds')?.text).toBe('dist/prod/karpenter-crds');
    expect(g.subgraphs.find((s) => s.id === 'wave_m5')!.nodes).toContain('app_karpenter_crds');
  });
});
