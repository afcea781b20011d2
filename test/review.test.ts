import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { PLATFORMS } from '../charts';
import { ENVIRONMENTS } from '../environments';
import type { EnvironmentInput } from '../environments/schema';
import { renderAll } from '../lib/render/pipeline';
import { toYaml } from '../lib/render/serialize';
import { renderReview } from '../lib/review/review-environment';
import { runReview } from '../cli/review-command';
import { Any, objects, ROOT, runCli, runInProcess, snapshotTree, Workspace } from './helpers';
import { committedRender } from './support/committed-render';

const inputs = (change: (dev: EnvironmentInput) => void): EnvironmentInput[] =>
  ENVIRONMENTS.map((e) => {
    const copy = structuredClone(e);
    if (copy.name === 'dev') change(copy);
    return copy;
  });
const review = (n: number, change?: (dev: EnvironmentInput) => void): Any[] => objects(renderReview(n, PLATFORMS, change ? inputs(change) : ENVIRONMENTS).files);
const annotationsOf = (o: Any) => o.metadata.annotations ?? {};

function kubeconform(...paths: string[]) {
  const env = { ...process.env };
  delete env.KUBECONFORM_SCHEMAS;
  delete env.KUBERNETES_VERSIONS;
  return spawnSync('bash', ['scripts/validate.sh', ...paths], { cwd: ROOT, encoding: 'utf8', env });
}

describe('review environments: review-<n> of the platforms that asked for it', () => {
  const rendered = renderReview(42, PLATFORMS);
  const list = objects(rendered.files);

  test('only storefront, in a namespace of its own, without cluster-wide objects', () => {
    expect(rendered.name).toBe('review-42');
    expect([...new Set(rendered.files.map((f) => f.path.split('/').slice(0, 2).join('/')))]).toEqual(['review-42/storefront']);
    const namespaced = list.filter((o) => o.kind !== 'Namespace');
    expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set(['review-42-storefront']));
    expect(list.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['review-42-storefront']);
    expect(list.some((o) => ['ClusterSecretStore', 'NodePool', 'EC2NodeClass'].includes(o.kind))).toBe(false);
  });

  test('one replica, no HPA, no PDB; the image the base environment (dev) records', () => {
    const deployment = list.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web');
    expect(deployment.spec.replicas).toBe(1);
    expect(list.some((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'PodDisruptionBudget')).toBe(false);
    const release = JSON.parse(readFileSync(join(ROOT, 'releases/dev.json'), 'utf8')).storefront.web;
    expect(deployment.spec.template.spec.containers[0].image).toBe(`111111111111.dkr.ecr.eu-west-1.amazonaws.com/storefront/web:${release.tag}`);
  });

  test('its load balancer works like production\'s, but no DNS record is published unless configured', () => {
    const service = list.find((o) => o.kind === 'Service' && o.spec.type === 'LoadBalancer');
    expect(service.spec.loadBalancerClass).toBe('service.k8s.aws/nlb');
    expect(annotationsOf(service)['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe('internet-facing');
    expect(annotationsOf(service)['service.beta.kubernetes.io/aws-load-balancer-ssl-cert']).toMatch(/^arn:aws:acm:/);
    expect(annotationsOf(service)['external-dns.alpha.kubernetes.io/hostname']).toBeUndefined();
    expect(service.metadata.labels['platform-manifests/dns-zone']).toBeUndefined();
    // Configured: a hostname of its own, never the base environment's.
    const published = review(42, (dev) => { dev.reviewEnvironments = { platforms: ['storefront'], publishDns: true }; })
      .find((o) => o.kind === 'Service' && o.spec.type === 'LoadBalancer');
    expect(annotationsOf(published)['external-dns.alpha.kubernetes.io/hostname']).toBe('shop-review-42.dev.example.com');
    expect(published.metadata.labels['platform-manifests/dns-zone']).toBe('public');
  });

  test('its data stores never outlive it: volumes are deleted with the StatefulSet (dev keeps them)', () => {
    const withStores = review(7, (dev) => { dev.reviewEnvironments = { platforms: ['sales-order', 'resource-hub'] }; });
    const statefulSets = withStores.filter((o) => o.kind === 'StatefulSet');
    expect(statefulSets.map((s) => s.metadata.name).sort()).toEqual(['customer-mysql', 'order-mongodb', 'product-redis', 'resource-hub-postgres']);
    for (const s of statefulSets) {
      expect([s.metadata.name, s.metadata.namespace, s.spec.persistentVolumeClaimRetentionPolicy]).toEqual([
        s.metadata.name, expect.stringMatching(/^review-7-/), { whenDeleted: 'Delete', whenScaled: 'Delete' },
      ]);
    }
    // The platforms' data stores (add-ons such as Argo CD's controller are StatefulSets of their charts).
    const platformFiles = committedRender().files.filter((f) => PLATFORMS.some((p) => f.path.startsWith(`dev/${p.name}/`)));
    const dev = objects(platformFiles).filter((o) => o.kind === 'StatefulSet');
    expect(dev.length).toBeGreaterThan(0);
    for (const s of dev) expect(s.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('the rendered review environment passes kubeconform on both Kubernetes versions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-'));
    try {
      for (const f of rendered.files) {
        const path = join(dir, f.path.replace(/\//g, '_'));
        writeFileSync(path, toYaml(f.objects));
      }
      const r = kubeconform(dir);
      const summaries = r.stdout.split('\n').filter((l) => l.startsWith('Summary:'));
      expect(summaries).toHaveLength(2);
      for (const line of summaries) expect(line).toContain(`Valid: ${list.length}, Invalid: 0, Errors: 0, Skipped: 0`);
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each<[string, (dev: EnvironmentInput) => void, RegExp]>([
    ['an unknown platform', (dev) => { dev.reviewEnvironments = { platforms: ['shop'] }; }, /environment dev: reviewEnvironments\.platforms: 'shop' is not a platform/],
    ['a platform dev disables', (dev) => { dev.reviewEnvironments = { platforms: ['toytrex'] }; dev.platforms!.toytrex = { enabled: false }; }, /'toytrex' is disabled in dev, so it has nothing to review/],
  ])('%s is an error naming the field', (_name, change, expected) => {
    expect(() => renderReview(1, PLATFORMS, inputs(change))).toThrow(expected);
  });
});

describe('review environments name platforms, never add-on folders', () => {
  test('an add-on listed for review is refused, offering the platforms only', () => {
    let message = '';
    try {
      renderAll({ platforms: PLATFORMS, environmentInputs: inputs((dev) => { dev.reviewEnvironments = { platforms: ['argo-cd'] }; }), environments: ['dev'] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/environment dev: reviewEnvironments\.platforms: 'argo-cd' is not a platform/);
    const offered = /\(platforms: ([^)]*)\)/.exec(message)?.[1].split(', ').sort();
    expect(offered).toEqual(PLATFORMS.map((p) => p.name).sort());
  });
});

describe('the ApplicationSet that deploys review environments', () => {
  const result = committedRender();
  const argo = (env: string): Any[] => objects(result.argocdFiles.filter((f) => f.path.startsWith(`${env}/`)));
  const appSet = argo('dev').find((o) => o.kind === 'ApplicationSet');
  const template = appSet.spec.template;
  const expand = (text: string) => text.replace(/\{\{\.number\}\}/g, '42').replace(/\{\{\.platform\}\}/g, 'storefront').replace(/\{\{\.channel\}\}/g, 'storefront-dev');
  const workflow = parse(readFileSync(join(ROOT, '.github/workflows/review.yml'), 'utf8'));

  test('only the cluster that hosts review environments has it', () => {
    expect(argo('staging').some((o) => o.kind === 'ApplicationSet')).toBe(false);
    expect(argo('prod').some((o) => o.kind === 'ApplicationSet')).toBe(false);
    const bootstrap = (env: string) => argo(env).find((o) => o.kind === 'AppProject' && o.metadata.name === 'bootstrap');
    expect(bootstrap('dev').spec.namespaceResourceWhitelist).toContainEqual({ group: 'argoproj.io', kind: 'ApplicationSet' });
    expect(bootstrap('prod').spec.namespaceResourceWhitelist).not.toContainEqual({ group: 'argoproj.io', kind: 'ApplicationSet' });
  });

  test('the GitHub pull-request generator, labelled pull requests only, times the platforms', () => {
    const [pullRequest, list] = appSet.spec.generators[0].matrix.generators;
    expect(pullRequest.pullRequest.github).toEqual({ owner: 'acme', repo: 'platform-manifests', labels: ['review-environment'], tokenRef: { secretName: 'github-token', key: 'token' } });
    expect(list.list.elements).toEqual([{ platform: 'storefront', channel: 'storefront-dev' }]);
    expect(appSet.spec.goTemplate).toBe(true);
    expect(appSet.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: false });
  });

  test('a generated Application syncs exactly what the workflow renders and pushes, and deletes it with itself', () => {
    const rendered = renderReview(42, PLATFORMS);
    expect(expand(template.spec.source.path)).toBe('dist/review-42/storefront');
    expect(rendered.files.every((f) => `dist/${f.path}`.startsWith(`${expand(template.spec.source.path)}/`))).toBe(true);
    expect(expand(template.spec.destination.namespace)).toBe(objects(rendered.files).find((o) => o.kind === 'Namespace').metadata.name);
    expect(expand(template.spec.source.targetRevision)).toBe('review/pr-42');
    expect(template.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io/foreground']);
    expect(template.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(expand(template.metadata.annotations['notifications.argoproj.io/subscribe.on-sync-failed.slack'])).toBe('storefront-dev');
    // The workflow pushes that branch, sets that label, and deletes the branch when the pull request closes.
    const steps = workflow.jobs.render.steps.map((s: Any) => s.run ?? '').join('\n');
    expect(steps).toContain('npm run review -- render --pr "$PR" --out "$RUNNER_TEMP/review"');
    expect(steps).toContain('npm run validate -- "$RUNNER_TEMP/review/dist"');
    expect(steps).toContain('git push --force origin "HEAD:refs/heads/review/pr-$PR"');
    expect(steps).toContain('--add-label review-environment');
    expect(workflow.jobs['clean-up'].steps.map((s: Any) => s.run ?? '').join('\n')).toContain('git push origin --delete "review/pr-$PR"');
  });

  test('its project admits the review namespaces and exactly the kinds storefront renders', () => {
    const project = argo('dev').find((o) => o.kind === 'AppProject' && o.metadata.name === 'review');
    expect(project.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'review-*-storefront' }]);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    const kinds = new Set(objects(renderReview(3, PLATFORMS).files).filter((o) => o.kind !== 'Namespace').map((o) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`));
    expect(new Set(project.spec.namespaceResourceWhitelist.map((k: Any) => `${k.group}/${k.kind}`))).toEqual(kinds);
  });

  test('kubeconform checks it against the ApplicationSet CRD schema, and can fail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'appset-'));
    try {
      writeFileSync(join(dir, 'good.yaml'), toYaml([appSet]));
      const bad = structuredClone(appSet);
      bad.spec.template.spec.sourcee = bad.spec.template.spec.source;
      writeFileSync(join(dir, 'bad.yaml'), toYaml([bad]));
      const r = kubeconform(dir);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toMatch(/bad\.yaml - ApplicationSet review-environments is invalid: .*sourcee/);
      expect(r.stdout).not.toMatch(/good\.yaml - ApplicationSet/);
      expect(r.stderr).not.toMatch(/could not find schema/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run review', () => {
  let ws: Workspace;
  let out: string;
  beforeAll(() => {
    ws = new Workspace();
    out = mkdtempSync(join(tmpdir(), 'review-out-'));
  });
  afterAll(() => {
    ws.remove();
    rmSync(out, { recursive: true, force: true });
  });
  // The command in-process (what cli/review.ts runs); the first case runs the real CLI end to end.
  const run = (...args: string[]) => runInProcess(ws.dir, {}, (io) => runReview(args, io));

  test('render writes dist/review-<n>/ into the folder given, and nothing into the repository (the real CLI)', () => {
    const before = snapshotTree(join(ws.dir, 'dist'));
    const r = runCli(ws.dir, 'cli/review.ts', ['render', '--pr', '42', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const expected = renderReview(42, PLATFORMS);
    expect(r.stdout).toContain(`rendered review-42: ${expected.files.length} files, ${objects(expected.files).length} objects`);
    const web = parseAllDocuments(readFileSync(join(out, 'dist/review-42/storefront/web.yaml'), 'utf8')).map((d) => d.toJS());
    expect(web.find((o: Any) => o.kind === 'Deployment').metadata.namespace).toBe('review-42-storefront');
    expect(snapshotTree(join(ws.dir, 'dist'))).toEqual(before);
  });

  test.each<[string, string[], number, RegExp]>([
    ['a malformed number', ['render', '--pr', 'abc', '--out', 'x'], 1, /--pr 'abc': must be a pull request number/],
    ['the repository\'s dist/ as the target', ['render', '--pr', '5', '--out', 'dist'], 1, /never lands in this repository's dist\//],
    ['an unknown flag', ['render', '--pr', '5', '--outt', 'x'], 2, /Unknown option '--outt'[\s\S]*usage: npm run review/],
    ['a missing --pr', ['render', '--out', 'x'], 2, /--pr is required[\s\S]*usage: npm run review/],
    ['an unknown command', ['deploy', '--pr', '5', '--out', 'x'], 2, /expected the command 'render'/],
  ])('%s (%j): exit %d, nothing written', (_name, args, status, expected) => {
    const before = snapshotTree(join(ws.dir, 'dist'));
    const r = run(...args);
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(expected);
    expect(existsSync(join(ws.dir, 'x'))).toBe(false);
    expect(snapshotTree(join(ws.dir, 'dist'))).toEqual(before);
  });

  test('--help describes the options', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run review -- render --pr <number> --out <dir>/);
  });
});
