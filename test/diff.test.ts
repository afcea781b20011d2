import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { COMMENT_MARKER, destructiveChanges, diffTrees, diffValues, formatDiffMarkdown, lineDiff } from '../lib/review/manifest-diff';
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

describe('list items by key, long values as a line diff', () => {
  test('label-selector requirements match by key, volume mounts by mountPath', () => {
    expect(diffValues(
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }, { key: 'b', operator: 'Exists' }], volumeMounts: [{ name: 'v', mountPath: '/a' }, { name: 'v', mountPath: '/b' }] },
      { matchExpressions: [{ key: 'new', operator: 'Exists' }, { key: 'a', operator: 'In', values: ['y'] }, { key: 'b', operator: 'Exists' }], volumeMounts: [{ name: 'v', mountPath: '/b' }, { name: 'v', mountPath: '/a', readOnly: true }] },
    )).toEqual([
      { path: '/matchExpressions[key=a]/values/0', before: 'x', after: 'y' },
      { path: '/matchExpressions[key=new]/key', after: 'new' },
      { path: '/matchExpressions[key=new]/operator', after: 'Exists' },
      { path: '/volumeMounts[mountPath=/a]/readOnly', after: true },
    ]);
  });

  test('a digest-only image change shows both full values', () => {
    const before = `api@sha256:${'a'.repeat(63)}1`;
    const after = `api@sha256:${'a'.repeat(63)}2`;
    const md = formatDiffMarkdown(diffTrees(new Map([['dist/dev/shop/api.yaml', deployment(before)]]), new Map([['dist/dev/shop/api.yaml', deployment(after)]])), { base: 'main' });
    expect(md).toContain(`  - \`/spec/template/spec/containers[name=api]/image\`:\n    \`\`\`diff\n    - ${before}\n    + ${after}\n    \`\`\``);
  });

  test('multi-line values show the lines that changed, with context, and fold the rest', () => {
    const text = (n: number) => Array.from({ length: 12 }, (_, i) => (i === 6 ? `line ${n}` : `same ${i}`)).join('\n');
    expect(lineDiff(text(1), text(2))).toEqual(['  …', '  same 4', '  same 5', '- line 1', '+ line 2', '  same 7', '  same 8', '  …']);
    expect(lineDiff('', 'a\nb\n')).toEqual(['+ a', '+ b']);
  });
});

describe('destructive changes come first', () => {
  const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';
  const pvc = 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: shop\nspec:\n  storageClassName: gp3\n';
  const app = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\n';
  const project = (kinds: string[]) => `apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  namespaceResourceWhitelist:\n${kinds.map((k) => `    - group: ""\n      kind: ${k}\n`).join('')}`;
  const selector = (app: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    matchLabels:\n      app: ${app}\n`;
  const config = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frozen\n  namespace: shop\nimmutable: true\ndata:\n  a: "${v}"\n`;
  const base = new Map([
    ['dist/dev/shop/ns.yaml', ns], ['dist/dev/shop/pvc.yaml', pvc], ['dist/dev/shop/api.yaml', selector('a')], ['dist/dev/shop/config.yaml', config('1')],
    ['argocd/dev/apps/shop.yaml', app], ['argocd/dev/apps/projects/shop.yaml', project(['ConfigMap', 'Service'])],
  ]);
  const head = new Map([
    ['dist/dev/shop/api.yaml', selector('b')], ['dist/dev/shop/config.yaml', config('2')], ['dist/dev/shop/pvc.yaml', pvc.replace('gp3', 'gp2')],
    ['argocd/dev/apps/projects/shop.yaml', project(['ConfigMap'])],
  ]);

  test('removed Application, Namespace and PVC, a kind dropped from a project, immutable fields changed', () => {
    const found = destructiveChanges(diffTrees(base, new Map([...head].filter(([p]) => p !== 'dist/dev/shop/pvc.yaml'))));
    expect(found.map((d) => `${d.object}: ${d.reason.split(':')[0]}`)).toEqual([
      'ConfigMap shop/frozen: data of an immutable ConfigMap changed',
      'apps/Deployment shop/api: immutable field /spec/selector changed (/spec/selector/matchLabels/app)',
      'Namespace shop: Namespace removed',
      'PersistentVolumeClaim shop/data: PersistentVolumeClaim deleted',
      'argoproj.io/AppProject argocd/shop: kind Service dropped from the project (namespaceResourceWhitelist)',
      'argoproj.io/Application argocd/shop: Application removed',
    ]);
    expect(destructiveChanges(diffTrees(base, head)).map((d) => d.reason)).toContainEqual(expect.stringMatching(/^immutable field \/spec\/storageClassName changed/));
  });

  test('the comment lists them above every folder; a harmless change has no such section', () => {
    const md = formatDiffMarkdown(diffTrees(base, head), { base: 'main' });
    expect(md.indexOf('destructive change(s)')).toBeGreaterThan(0);
    expect(md.indexOf('destructive change(s)')).toBeLessThan(md.indexOf('#### dev · shop'));
    expect(md).toMatch(/- dev · shop: `Namespace shop` — Namespace removed/);
    expect(formatDiffMarkdown(diffTrees(new Map([['dist/dev/shop/api.yaml', deployment('a:1.0.0')]]), new Map([['dist/dev/shop/api.yaml', deployment('a:1.0.1')]])), { base: 'main' })).not.toContain('destructive');
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

  test('a file with the same bytes on both sides holds no change and is not even parsed; a changed one is', () => {
    const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [broken\n';
    const same = new Map([...base, ['dist/dev/shop/broken.yaml', broken]]);
    expect(diffTrees(same, new Map([...head, ['dist/dev/shop/broken.yaml', broken]]))).toEqual(diffTrees(base, head));
    expect(() => diffTrees(same, new Map([...head, ['dist/dev/shop/broken.yaml', `${broken}# changed\n`]]))).toThrow(/dist\/dev\/shop\/broken\.yaml: not valid YAML/);
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
  const diff = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'scripts/run.mjs'), join(ROOT, 'cli/diff.ts'), ...args], { cwd: dir, encoding: 'utf8' });

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

  test('an unknown base ref or flag is a usage error; --help prints the usage', () => {
    expect(diff('--base', 'origin/nope').stderr).toMatch(/'origin\/nope' is not a commit here — fetch it first/);
    const bad = diff('--bsae', 'main');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: Unknown option '--bsae'[\s\S]*usage: npm run diff/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const help = diff('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: npm run diff[\s\S]*--tip/);
  });

  test('by default it compares with the merge base, so what landed on main meanwhile is not shown as reverted', () => {
    git('stash', '-u', '-q');
    git('checkout', '-q', '-b', 'feature');
    git('checkout', '-q', 'main');
    write('dist/dev/shop/landed.yaml', configMap('landed'));
    git('add', 'dist');
    git('commit', '-q', '-m', 'landed on main');
    git('checkout', '-q', 'feature');
    git('stash', 'pop', '-q');
    const r = diff();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/compared with `main \(merge base [0-9a-f]{12}\)`/);
    expect(r.stdout).toContain('**1 added, 1 changed, 0 removed**');
    expect(r.stdout).not.toContain('landed');
    expect(diff('--tip').stdout).toContain('**1 added, 1 changed, 1 removed**');
  });
});
