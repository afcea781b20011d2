import { PLATFORMS } from '../charts';
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../environments';
import { renderAll } from '../lib/render/pipeline';
import { listFiles } from '../lib/render/write';
import { expectCommitted, objects, snapshotTree, Workspace } from './helpers';
import { committedRender } from './support/committed-render';

describe('rendered output', () => {
  const result = committedRender();

  test('committed dist/ equals a fresh render (run `npm run synth` and commit if this fails)', () => {
    expectCommitted('dist', result.dist);
  });

  test('two renders are byte-identical', () => {
    const again = renderAll({ platforms: PLATFORMS });
    expect(again.dist).toEqual(result.dist);
  });

  test('files are named dist/<env>/<platform>/<chart>.yaml', () => {
    // Every environment of environments/index.ts, whatever they are called: adding one needs no test edit.
    // Restore Jobs sit one folder down (restore/), where Argo CD does not sync them; an add-on's CRDs are named
    // after the CRD (plural.group).
    const names = ENVIRONMENTS.map((e) => e.name);
    for (const f of result.files) {
      expect(f.path).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+\/(restore\/)?([a-z0-9-]+|[a-z0-9-]+(\.[a-z0-9-]+)+)\.yaml$/);
      expect(names).toContain(f.path.split('/')[0]);
    }
    expect(result.environments).toEqual(names);
  });

  test('no rendered object is a Secret carrying data', () => {
    const secrets = objects(result.files).filter((o) => o.kind === 'Secret');
    expect(secrets.filter((s) => s.data || s.stringData)).toEqual([]);
  });

  test('the policy gate passes, and every opt-out gives its reason', () => {
    expect(result.policy.violations).toEqual([]);
    for (const x of result.policy.exemptions) expect(x.reason.length).toBeGreaterThan(15);
  });
});

describe('synth CLI', () => {
  let ws: Workspace;
  beforeAll(() => { ws = new Workspace(); });
  afterAll(() => ws.remove());

  test('prints a summary, renders one environment alone, and does not rewrite unchanged files', () => {
    const file = join(ws.dir, 'dist/prod/sales-order/customer-service.yaml');
    const inode = statSync(file).ino;
    const devBefore = snapshotTree(join(ws.dir, 'dist/dev'));
    const r = ws.synth('--env', 'prod');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rendered 1 environment\(s\) \[prod\], \d+ platform\(s\) \[.*sales-order.*\], \d+ files, \d+ objects/);
    expect(r.stdout).toMatch(/0 written, \d+ unchanged, 0 removed/);
    expect(statSync(file).ino).toBe(inode);
    expect(snapshotTree(join(ws.dir, 'dist/dev'))).toEqual(devBefore);
  });

  test('a stale file in dist/ is removed and a changed one rewritten, nothing else', () => {
    writeFileSync(join(ws.dir, 'dist/dev/sales-order/stale.yaml'), 'kind: Stale\n');
    appendFileSync(join(ws.dir, 'dist/dev/sales-order/alerts.yaml'), '# edited by hand\n');
    const r = ws.synth('--env', 'dev');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1 written, \d+ unchanged, 1 removed/);
    expect(listFiles(join(ws.dir, 'dist/dev'))).not.toContain('sales-order/stale.yaml');
  });

  test('an unknown environment is an error', () => {
    const r = ws.synth('--env', 'qa');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown environment 'qa'/);
  });
});
