import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles } from '../lib/render/write';
import { ROOT } from './helpers';

/**
 * kubeconform -strict over dist/ and argocd/ on Kubernetes 1.27.0 and 1.35.0 with CRD schemas. Offline
 * machines point KUBECONFORM_SCHEMAS at a mirror (CI: ../shared/schemas); elsewhere the public locations
 * are used.
 */
function validate(...paths: string[]) {
  return spawnSync('bash', ['scripts/validate.sh', ...paths], { cwd: ROOT, encoding: 'utf8' });
}

describe('kubeconform', () => {
  test('everything rendered is valid on both Kubernetes versions, with no missing schema', () => {
    const r = validate();
    expect(r.stderr).not.toMatch(/could not find schema|not installed/);
    const summaries = r.stdout.split('\n').filter((l) => l.startsWith('Summary:'));
    expect(summaries).toHaveLength(2);
    // Only CustomResourceDefinitions are skipped (no schema validates a CRD itself; the API server check does).
    const crds = listFiles(join(ROOT, 'dist')).filter((f) => f.split('/')[1].endsWith('-crds')).length;
    for (const line of summaries) expect(line).toMatch(new RegExp(`Invalid: 0, Errors: 0, Skipped: ${crds}$`));
    expect(r.status).toBe(0);
  });

  test('the check can fail: an unknown field and an unknown kind are reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconform-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), [
        'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 80}], selectorr: {a: b}}',
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: y}',
      ].join('\n---\n'));
      const r = validate(dir);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toMatch(/selectorr/);
      expect(r.stdout).toMatch(/could not find schema for Widget/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
