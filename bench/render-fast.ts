// One measured run of the project's render path (what `npm run synth` does) on the synthetic platform.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { synthesize } from '../lib/render/synthesize';
import { benchEnvironments, servicesFromEnv, syntheticPlatform } from './synthetic-platform';

const out = process.argv[2];
// The writers' lock file lives beside dist/, so the folder must exist before the first run.
mkdirSync(out, { recursive: true });
const environments = benchEnvironments();
synthesize({
  platforms: [syntheticPlatform(servicesFromEnv())],
  environmentInputs: environments,
  // The synthetic services carry their images; the committed releases/<env>.json name the real platforms.
  releases: new Map(environments.map((e) => [e.name, {}])),
  outDir: join(out, 'dist'),
  argocdDir: join(out, 'argocd'),
});
