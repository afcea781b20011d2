import { ENVIRONMENTS, loadEnvironment } from '../environments';
import { renderAddons } from '../lib/addons/render';
import { chartSource } from '../lib/addons/chart-source';
import { ConfigError } from '../lib/errors';
import { toYaml } from '../lib/render/serialize';

/**
 * `npm run addons:verify`: renders every add-on release of every environment with the real helm from the
 * chart source (offline: the mirror), ignoring the render cache, and fails when the result differs from what
 * the committed cache gives. Proves the committed add-on output is Helm's, not an edited file.
 */
function main(): number {
  const started = Date.now();
  const source = chartSource();
  let releases = 0;
  const problems: string[] = [];
  try {
    for (const input of ENVIRONMENTS) {
      const env = loadEnvironment(input);
      const cached = renderAddons(env);
      if (cached.rendered.length > 0) problems.push(`${env.name}: the committed render cache is stale for ${cached.rendered.join(', ')} — run npm run synth and commit`);
      const fresh = renderAddons(env, { fresh: true });
      releases += fresh.rendered.length;
      const before = new Map(cached.files.map((f) => [f.path, toYaml(f.objects)]));
      const after = new Map(fresh.files.map((f) => [f.path, toYaml(f.objects)]));
      for (const path of new Set([...before.keys(), ...after.keys()])) {
        if (before.get(path) !== after.get(path)) problems.push(`dist/${path}: ${!before.has(path) ? 'only in a fresh helm render' : !after.has(path) ? 'only in the committed cache' : 'differs from a fresh helm render'}`);
      }
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`addons:verify failed: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    console.error(`addons:verify: the committed add-on output is not what helm renders (charts from ${source.location}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  console.log(`addons:verify: ${releases} releases rendered with helm from ${source.location} equal the committed render (${seconds}s)`);
  return 0;
}

process.exitCode = main();
