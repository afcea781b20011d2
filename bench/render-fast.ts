// One measured run of the project's render path (what `npm run synth` does) on the synthetic platform.
import { join } from 'node:path';
import { synthesize } from '../lib/render/synthesize';
import { benchEnvironments, servicesFromEnv, syntheticPlatform } from './synthetic-platform';

const out = process.argv[2];
synthesize({
  platforms: [syntheticPlatform(servicesFromEnv())],
  environmentInputs: benchEnvironments(),
  outDir: join(out, 'dist'),
  argocdDir: join(out, 'argocd'),
});
