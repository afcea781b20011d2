import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Construct } from 'constructs';
import type { EnvironmentTopology, TopologyFile } from '../lib/diagrams/documents';
import { formatTopologyChanges, prependTopology, TOPOLOGY_PATH, topologyChanges } from '../lib/diagrams/topology-diff';
import { Microservice } from '../lib/microservice';
import type { PlatformDefinition } from '../lib/platform';
import { PlatformChart } from '../lib/platform-chart';
import type { PlatformContext } from '../lib/platform-context';
import { renderAll } from '../lib/render/pipeline';
import { environmentInput, ROOT } from './helpers';

const committed = JSON.parse(readFileSync(join(ROOT, TOPOLOGY_PATH), 'utf8')) as TopologyFile;
const environment = (name: string) => committed.environments.find((e) => e.environment === name)!;
const renamed = (e: EnvironmentTopology, environment: string): EnvironmentTopology => ({ ...e, environment });
const texts = (before: TopologyFile, after: TopologyFile) => topologyChanges(before, after).map((c) => `${c.environment} · ${c.scope}: ${c.text}`);

/** A two-service platform whose api may or may not call the worker, and may or may not have a public host. */
function demoPlatform(apiCallsWorker: boolean, publicHost: boolean): PlatformDefinition {
  const service = { image: { repository: 'example.com/demo', tag: '1.0.0' }, scaling: { replicas: 1 }, resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '32Mi' } } };
  class DemoChart extends PlatformChart {
    constructor(scope: Construct, context: PlatformContext) {
      super(scope, 'demo', context);
      new Microservice(this, 'api', {
        ...service,
        dependsOn: apiCallsWorker ? [{ target: 'worker' }] : [],
        exposure: publicHost ? { type: 'alb-ingress', hosts: [{ subdomain: 'demo', zone: 'public' }] } : { type: 'internal' },
      });
      new Microservice(this, 'worker', service);
    }
  }
  return { name: 'demo', description: 'demo platform', charts: [DemoChart] };
}
const demoTopology = (apiCallsWorker: boolean, publicHost: boolean): TopologyFile =>
  ({
    environments: renderAll({
      environmentInputs: [{ ...environmentInput('dev'), platforms: {}, reviewEnvironments: undefined }],
      platforms: [demoPlatform(apiCallsWorker, publicHost)],
      // The demo platform's images are the chart's own; dev's release file names the real platforms.
      releases: new Map([['dev', {}]]),
    }).topologies,
  });

describe('topology changes in words', () => {
  test('the committed topology compared with itself: no change', () => {
    expect(topologyChanges(committed, committed)).toEqual([]);
    expect(formatTopologyChanges([], 'origin/main')).toContain('No topology change');
  });

  test('a new dependency is a new allowed flow; the reverse direction stays denied; a new exposure is a new public host', () => {
    const changes = texts(demoTopology(false, false), demoTopology(true, true));
    expect(changes).toContain('dev · demo: new allowed flow `api → worker` (TCP 8080)');
    expect(changes).not.toContainEqual(expect.stringContaining('`worker → api`'));
    expect(changes).toContain('dev · demo: new allowed flow `the VPC → api` (TCP 8080)');
    expect(changes).toContainEqual(expect.stringMatching(/^dev · demo: new public host `demo\.dev\.example\.com` → api \(ALB, HTTP 80/));
    expect(texts(demoTopology(true, true), demoTopology(false, true))).toEqual(['dev · demo: flow `api → worker` no longer allowed (was TCP 8080)']);
  });

  test('a data store moving out of or into the cluster (resource-hub: dev\'s model against prod\'s)', () => {
    const dev = { environments: [renamed(environment('dev'), 'x')] };
    const prod = { environments: [renamed(environment('prod'), 'x')] };
    expect(texts(dev, prod)).toContainEqual(expect.stringMatching(
      /^x · resource-hub: data store `resource-hub-postgres` moved out of the cluster: Amazon RDS PostgreSQL outside the cluster \(resource-hub-prod\..*:5432\) \(was in-cluster PostgreSQL StatefulSet, 1 member\(s\)\)$/,
    ));
    expect(texts(prod, dev)).toContainEqual(expect.stringMatching(/^x · resource-hub: data store `resource-hub-postgres` moved into the cluster: in-cluster PostgreSQL/));
    expect(texts(dev, prod)).toContain('x · sales-order: service `customer-service`: HPA 3–10 (was ×1)');
    expect(texts(dev, prod)).toContain('x · resource-hub: flow `api → resource-hub-postgres` now allows TCP 5432, allowed as the VPC (was TCP 5432)');
    expect(texts(dev, prod)).toContain('x · resource-hub: VPC CIDR 10.30.0.0/16 (was 10.10.0.0/16)');
    expect(texts(dev, prod)).not.toContainEqual(expect.stringContaining('flow `the VPC → gateway`'));
    expect(texts(dev, prod)).toContainEqual(expect.stringMatching(/^x · sales-order: new public host `sales\.example\.com`/));
  });

  test('the section goes after the PR comment marker, and a long list is cut', () => {
    expect(prependTopology('<!-- marker -->\n### Rendered\n', '### Topology\n\n')).toBe('<!-- marker -->\n### Topology\n\n### Rendered\n');
    const many = Array.from({ length: 500 }, (_, i) => ({ environment: 'dev', scope: 'demo', text: `change ${i}` }));
    const text = formatTopologyChanges(many, 'main', 1000);
    expect(text.length).toBeLessThan(1200);
    expect(text).toMatch(/… and \d+ more/);
    expect(formatTopologyChanges(undefined, 'old')).toContain('has no `docs/platforms/topology.json`');
  });
});

describe('npm run diff puts the topology changes first', () => {
  let dir: string;
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'topology-diff-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    git('init', '-q', '-b', 'main');
    write('dist/dev/demo/api.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: demo\n');
    write(TOPOLOGY_PATH, JSON.stringify(demoTopology(false, false)));
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    write(TOPOLOGY_PATH, JSON.stringify(demoTopology(true, false)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the new flow is reported in words above the manifest diff, after the comment marker', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/run.mjs'), join(ROOT, 'cli/diff.ts'), '--base', 'main'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('<!-- rendered-manifest-diff -->');
    expect(lines[1]).toBe('### Topology changes compared with `main`');
    expect(r.stdout).toContain('- **dev · demo**: new allowed flow `api → worker` (TCP 8080)');
    expect(r.stdout.indexOf('### Topology changes')).toBeLessThan(r.stdout.indexOf('### Rendered manifests'));
  });
});
