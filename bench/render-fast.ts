// One measured run of the project's render path (what `npm run synth` does) on the synthetic platform.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { synthesize } from '../lib/render/synthesize';
import { benchEnvironments, benchReleases, servicesFromEnv, syntheticPlatform } from './synthetic-platform';

const out = process.argv[2];
// The writers' lock file lives beside dist/, so the folder must exist before the first run.
mkdirSync(out, { recursive: true });
const environments = benchEnvironments();
synthesize({
  platforms: [syntheticPlatform(servicesFromEnv())],
  environmentInputs: environments,
  releases: benchReleases(environments),
  outDir: join(out, 'dist'),
  argocdDir: join(out, 'argocd'),
});
