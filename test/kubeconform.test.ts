import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles } from '../lib/render/write';
import { ROOT } from './helpers';

/**
 * kubeconform -strict over dist/ and argocd/ on Kubernetes 1.27.0 and 1.35.0 with the schemas pinned in
 * schemas/: no variable, no network.
 */
function validate(...paths: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.KUBECONFORM_SCHEMAS;
  delete env.KUBERNETES_VERSIONS;
  return new Promise((done, fail) => {
    const child = spawn('bash', ['scripts/validate.sh', ...paths], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

// Both runs start at once (kubeconform mostly waits on files); the bad fixture lives until both are done.
const dir = mkdtempSync(join(tmpdir(), 'kubeconform-'));
writeFileSync(join(dir, 'bad.yaml'), [
  'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 80}], selectorr: {a: b}}',
  'apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: z}\nspec: {secretStoreRef: {name: s, kind: ClusterSecretStore}, refreshIntervall: 1h}',
  'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: y}',
].join('\n---\n'));
// A CRD alone in a file is left out before kubeconform reads it; a CRD beside another object is not.
const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.example.com\n';
writeFileSync(join(dir, 'crd-only.yaml'), `${crd}---\n${crd.replace(/gadgets/g, 'gizmos')}`);
writeFileSync(join(dir, 'crd-and-service.yaml'), `${crd}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: beside-a-crd\nspec:\n  portz: []\n`);
const everything = validate();
const bad = validate(dir);
afterAll(() => Promise.allSettled([everything, bad]).then(() => rmSync(dir, { recursive: true, force: true })));

describe('kubeconform', () => {
  test('everything rendered is valid on both Kubernetes versions, with no missing schema', async () => {
    const r = await everything;
    expect(r.stderr).not.toMatch(/could not find schema|not installed/);
    const summaries = r.stdout.split('\n').filter((l) => l.startsWith('Summary:'));
    expect(r.stdout).toMatch(/Kubernetes 1\.27\.0 \(schemas: schemas\)[\s\S]*Kubernetes 1\.35\.0 \(schemas: schemas\)/);
    expect(summaries).toHaveLength(2);
    // Only CustomResourceDefinitions are skipped (no schema validates a CRD itself; the API server check does):
    // the files of the CRD folders, which hold nothing else, are left out before kubeconform, and everything
    // else is validated.
    const all = [...listFiles(join(ROOT, 'dist')).map((f) => `dist/${f}`), ...listFiles(join(ROOT, 'argocd')).map((f) => `argocd/${f}`)];
    const crds = all.filter((f) => f.split('/')[2].endsWith('-crds')).length;
    expect(r.stdout).toContain(`validate: ${crds} file(s) hold only CustomResourceDefinitions and are left out`);
    for (const line of summaries) expect(line).toMatch(new RegExp(`in ${all.length - crds} files - Valid: \\d+, Invalid: 0, Errors: 0, Skipped: 0$`));
    expect(r.status).toBe(0);
  });

  test('the check can fail: an unknown field, an unknown field in a custom resource and an unknown kind are reported', async () => {
    const r = await bad;
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/selectorr/);
    expect(r.stdout).toMatch(/refreshIntervall/);
    expect(r.stdout).toMatch(/could not find schema for Widget/);
    expect(r.stdout).toMatch(/validate: 1 file\(s\) hold only CustomResourceDefinitions/);
    expect(r.stdout).toMatch(/crd-and-service\.yaml - Service beside-a-crd is invalid: .*portz/);
    expect(r.stdout).not.toMatch(/crd-only\.yaml/);
    expect(r.stderr).toMatch(/run 'npm run schemas'/);
  });
});
