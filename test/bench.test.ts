import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEnvironments, benchReleases, syntheticPlatform } from '../bench/synthetic-platform';
import { synthOneApp } from '../lib/render/cdk8s-app';
import { renderAll } from '../lib/render/pipeline';

/** `npm run bench` renders a synthetic platform both ways; both must work, or the bench measures a failure. */
describe('the bench', () => {
  const environments = benchEnvironments();
  const platform = syntheticPlatform(2);

  test('our render path renders the synthetic platform in every environment', () => {
    const result = renderAll({ platforms: [platform], environmentInputs: environments, releases: benchReleases(environments) });
    for (const env of environments) {
      const deployments = result.files.filter((f) => f.path.startsWith(`${env.name}/bench/`)).flatMap((f) => f.objects).filter((o) => o.kind === 'Deployment');
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['svc-0000', 'svc-0001']);
    }
  });

  test('the cdk8s synth baseline renders it too, one App for every environment', () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-cdk8s-'));
    try {
      synthOneApp([platform], environments, out, benchReleases(environments));
      const files = readdirSync(out);
      for (const env of environments) expect(files.filter((f) => f.startsWith(`${env.name}-bench-svc-`))).toHaveLength(2);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
