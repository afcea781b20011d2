import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffTrees, formatDiffMarkdown, upgradeHighlights } from '../lib/review/manifest-diff';
import { ChartLock } from '../lib/addons/chart-lock';
import { bumpFromMirror, DEFAULT_REHEARSAL, mirrorVersions } from '../lib/review/chart-bump';
import { chartSource } from '../lib/addons/chart-source';
import { listFiles } from '../lib/render/write';
import { ROOT } from './helpers';

const FIXTURE = join(ROOT, 'test/fixtures/chart-bump');
const tree = (side: 'before' | 'after') => new Map(listFiles(join(FIXTURE, side)).map((f) => [f, readFileSync(join(FIXTURE, side, f), 'utf8')]));

/** A chart bump in the lock reaches review as the objects it changes (committed fixtures of a real helm render). */
describe('a chart bump in npm run diff', () => {
  const diff = diffTrees(tree('before'), tree('after'));
  const highlights = upgradeHighlights(diff);
  const markdown = formatDiffMarkdown(diff, { base: 'origin/main' });

  test('shows the image the upgrade changes', () => {
    expect(highlights.images).toEqual([{
      environment: 'dev', group: 'karpenter', object: 'apps/Deployment kube-system/karpenter',
      path: '/spec/template/spec/containers[name=controller]/image', before: 'public.ecr.aws/karpenter/controller:1.14.1', after: 'public.ecr.aws/karpenter/controller:1.12.1',
    }]);
    expect(markdown).toContain('- image dev · karpenter: `apps/Deployment kube-system/karpenter` `/spec/template/spec/containers[name=controller]/image`: `"public.ecr.aws/karpenter/controller:1.14.1"` → `"public.ecr.aws/karpenter/controller:1.12.1"`');
  });

  test('shows the RBAC rules that change, rule by rule', () => {
    expect(highlights.rbac).toEqual([{ environment: 'dev', group: 'karpenter', object: 'rbac.authorization.k8s.io/ClusterRole karpenter-core', status: 'changed' }]);
    const role = diff.find((g) => g.group === 'karpenter')!.changes.find((c) => c.object === 'rbac.authorization.k8s.io/ClusterRole karpenter-core')!;
    expect(role.fields.some((f) => f.path.startsWith('/rules/'))).toBe(true);
    expect(markdown).toContain('- RBAC dev · karpenter: **changed** `rbac.authorization.k8s.io/ClusterRole karpenter-core`');
  });

  test('shows the CRDs that change and the one that goes', () => {
    expect(highlights.crds.map((c) => [c.object, c.status])).toEqual([
      ['apiextensions.k8s.io/CustomResourceDefinition nodeoverlays.karpenter.sh', 'changed'],
      ['apiextensions.k8s.io/CustomResourceDefinition capacitybuffers.autoscaling.x-k8s.io', 'removed'],
    ]);
    expect(markdown).toContain('- CRD dev · karpenter-crds: **removed** `apiextensions.k8s.io/CustomResourceDefinition capacitybuffers.autoscaling.x-k8s.io`');
    // The schema change itself, field by field, not only the chart label.
    expect(markdown).toMatch(/#### dev · karpenter-crds\n- \*\*changed\*\* `apiextensions\.k8s\.io\/CustomResourceDefinition nodeoverlays\.karpenter\.sh`\n {2}- `\/spec\/versions\[name=v1alpha1\]\/schema\/openAPIV3Schema\/properties\/spec\/properties\/requirements\/description`/);
  });

  test('more than a version string: changes beyond version labels are counted, a label-only bump counts none', () => {
    expect(highlights.substantive).toBe(4);
    const labelsOnly = new Map([...tree('before')].map(([p, y]) => [p, y.replace(/karpenter-1\.14\.1/g, 'karpenter-1.12.1').replace(/app\.kubernetes\.io\/version: 1\.14\.1/g, 'app.kubernetes.io/version: 1.12.1')]));
    const labels = diffTrees(tree('before'), labelsOnly);
    expect(labels.length).toBeGreaterThan(0);
    expect(upgradeHighlights(labels)).toEqual({ images: [], rbac: [], crds: [], substantive: 0 });
  });
});

const source = chartSource(ROOT);
(source.kind === 'mirror-folder' ? describe : describe.skip)('the rehearsal CI runs (npm run addons:verify)', () => {
  const lock = ChartLock.load(ROOT);

  test('bumps each default chart to another version the mirror holds, with the mirror\'s digest', () => {
    for (const chart of DEFAULT_REHEARSAL) {
      const bump = bumpFromMirror(lock, source, chart);
      expect(bump.version).not.toBe(lock.get(chart).version);
      expect(mirrorVersions(source, chart)).toContainEqual({ version: bump.version, sha256: bump.sha256 });
    }
  });

  test('a version the mirror does not hold is refused, listing the ones it does', () => {
    expect(() => bumpFromMirror(lock, source, 'karpenter', '0.0.1')).toThrow(/has no karpenter 0\.0\.1 \(it has: .*1\.14\.1/);
  });
});
