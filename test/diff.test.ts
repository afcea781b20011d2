import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { COMMENT_MARKER, diffTrees, diffValues, formatDiffMarkdown } from '../lib/argocd/manifest-diff';
import { ROOT } from './helpers';

const deployment = (image: string, replicas?: number, env: Record<string, string> = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
${replicas === undefined ? '' : `  replicas: ${replicas}\n`}  template:
    spec:
      containers:
        - name: api
          image: ${image}
          env:
${Object.entries(env).map(([k, v]) => `            - name: ${k}\n              value: "${v}"`).join('\n') || '            []'}
`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shop\ndata:\n  a: "1"\n`;

describe('diffValues', () => {
  test('reports changed, added and removed leaves with JSON-pointer paths, escaping / in keys', () => {
    expect(diffValues(
      { metadata: { annotations: { 'a/b': '1' } }, spec: { replicas: 2, paused: true } },
      { metadata: { annotations: { 'a/b': '2' } }, spec: { replicas: 3, selector: { x: 'y' } } },
    )).toEqual([
      { path: '/metadata/annotations/a~1b', before: '1', after: '2' },
      { path: '/spec/paused', before: true },
      { path: '/spec/replicas', before: 2, after: 3 },
      { path: '/spec/selector/x', after: 'y' },
    ]);
  });

  test('lists of named items are compared by name, so an insertion does not shift every index', () => {
    const before = { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] };
    const after = { env: [{ name: 'NEW', value: '0' }, { name: 'A', value: '1' }, { name: 'B', value: '3' }] };
    expect(diffValues(before, after)).toEqual([
      { path: '/env[name=B]/value', before: '2', after: '3' },
      { path: '/env[name=NEW]/name', after: 'NEW' },
      { path: '/env[name=NEW]/value', after: '0' },
    ]);
    expect(diffValues({ args: ['a', 'b'] }, { args: ['a', 'c', 'd'] })).toEqual([
      { path: '/args/1', before: 'b', after: 'c' },
      { path: '/args/2', after: 'd' },
    ]);
  });
});

describe('diffTrees', () => {
  const base = new Map([
    ['dist/dev/shop/api.yaml', `${deployment('api:1.0.0', 2, { LOG: 'info' })}---\n${configMap('old')}`],
    ['dist/prod/shop/api.yaml', deployment('api:1.0.0')],
    ['argocd/dev/apps/platforms/shop.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  project: shop\n'],
    ['README.md', '# not a manifest'],
  ]);
  const head = new Map([
    ['dist/dev/shop/api.yaml', `${deployment('api:1.1.0', 2, { LOG: 'debug' })}---\n${configMap('new')}`],
    ['dist/prod/shop/api.yaml', deployment('api:1.0.0')],
    ['argocd/dev/apps/platforms/shop.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  project: shop\n'],
  ]);

  test('groups by environment and folder; unchanged folders and non-manifests are left out', () => {
    expect(diffTrees(base, head)).toEqual([{
      environment: 'dev',
      group: 'shop',
      changes: [
        { status: 'added', object: 'ConfigMap shop/new', fields: [] },
        {
          status: 'changed',
          object: 'apps/Deployment shop/api',
          fields: [
            { path: '/spec/template/spec/containers[name=api]/env[name=LOG]/value', before: 'info', after: 'debug' },
            { path: '/spec/template/spec/containers[name=api]/image', before: 'api:1.0.0', after: 'api:1.1.0' },
          ],
        },
        { status: 'removed', object: 'ConfigMap shop/old', fields: [] },
      ],
    }]);
  });

  test('an object moved to another file of the same folder is not a change; a new folder is all added', () => {
    const moved = new Map(head);
    moved.set('dist/dev/shop/api.yaml', deployment('api:1.1.0', 2, { LOG: 'debug' }));
    moved.set('dist/dev/shop/config.yaml', configMap('new'));
    moved.set('argocd/staging/apps/platforms/shop.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n');
    expect(diffTrees(head, moved)).toEqual([
      { environment: 'staging', group: 'argocd', changes: [{ status: 'added', object: 'argoproj.io/Application argocd/shop', fields: [] }] },
    ]);
  });

  test('Markdown for the PR comment: marker, totals, a section per folder, fields with old → new', () => {
    const md = formatDiffMarkdown(diffTrees(base, head), { base: 'origin/main' });
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    expect(md).toContain('### Rendered manifests compared with `origin/main`');
    expect(md).toContain('**1 added, 1 changed, 1 removed** in 1 folder(s).');
    expect(md).toContain('#### dev · shop');
    expect(md).toContain('- **changed** `apps/Deployment shop/api`\n  - `/spec/template/spec/containers[name=api]/env[name=LOG]/value`: `"info"` → `"debug"`');
    expect(md).toContain('- **removed** `ConfigMap shop/old`');
  });

  test('no change says so; a long diff is cut with the command that shows the rest', () => {
    expect(formatDiffMarkdown([], { base: 'origin/main' })).toContain('No object in `dist/` or `argocd/` changes.');
    const many = new Map([...Array(200).keys()].map((i) => [`dist/dev/shop/c${i}.yaml`, configMap(`c${i}`)]));
    const md = formatDiffMarkdown(diffTrees(new Map(), many), { base: 'origin/main', maxLength: 2000 });
    expect(md.length).toBeLessThanOrEqual(2000);
    expect(md).toContain('run `npm run diff -- --base origin/main` for the rest');
  });
});

describe('npm run diff -- --base <ref> in a git repository', () => {
  let dir: string;
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout;
  };
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const diff = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts/run.mjs'), join(ROOT, 'lib/cli/diff.ts'), ...args], { cwd: dir, encoding: 'utf8' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifest-diff-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    git('init', '-q', '-b', 'main');
    write('dist/dev/shop/api.yaml', deployment('api:1.0.0'));
    write('argocd/dev/root.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: root\n  namespace: argocd\n');
    git('add', 'dist', 'argocd');
    git('commit', '-q', '-m', 'base');
    write('dist/dev/shop/api.yaml', deployment('api:2.0.0'));
    write('dist/dev/shop/extra.yaml', configMap('extra'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('compares the committed YAML at the base with the working tree', () => {
    const r = diff('--base', 'main');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('**1 added, 1 changed, 0 removed**');
    expect(r.stdout).toContain('`/spec/template/spec/containers[name=api]/image`: `"api:1.0.0"` → `"api:2.0.0"`');
    expect(r.stdout).not.toContain('root');
  });

  test('an unknown base ref or a missing --base is a usage error', () => {
    expect(diff('--base', 'origin/nope').stderr).toMatch(/'origin\/nope' is not a commit here — fetch it first/);
    expect(diff().status).toBe(2);
  });
});
