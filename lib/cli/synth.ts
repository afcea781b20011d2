import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { synthesize } from '../render/synthesize';

/**
 * `npm run synth [-- --env <name>...]`: renders every environment (or the named ones) into `dist/<env>/` and
 * its Argo CD objects into `argocd/<env>/`. Everything is rendered and checked in memory first; only then is
 * each environment's folder swapped in. Bad input prints what to change and exits 1 with both untouched.
 */
function main(): number {
  const started = process.hrtime.bigint();
  const { values } = parseArgs({
    options: {
      env: { type: 'string', multiple: true, short: 'e' },
      out: { type: 'string', default: 'dist' },
      'argocd-out': { type: 'string', default: 'argocd' },
      quiet: { type: 'boolean', short: 'q', default: false },
    },
    allowPositionals: false,
  });

  let result;
  try {
    result = synthesize({ environments: values.env, outDir: resolve(values.out!), argocdDir: resolve(values['argocd-out']!) });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`synth failed, dist/ and argocd/ left unchanged:\n${e.message}`);
      return 1;
    }
    throw e;
  }

  if (!values.quiet) {
    const { summary: s, written, unchanged, removed } = result;
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    console.log(
      `rendered ${s.environments.length} environment(s) [${s.environments.join(', ')}], ` +
        `${s.systems.length} system(s) [${s.systems.join(', ')}], ${s.fileCount} files, ${s.objectCount} objects, ` +
        `${s.argocdFileCount} Argo CD files in ${ms} ms (${written} written, ${unchanged} unchanged, ${removed} removed)`,
    );
    if (s.helmRendered.length > 0) console.log(`helm rendered ${s.helmRendered.length} add-on release(s) whose chart or values changed: ${s.helmRendered.join(', ')}`);
    if (s.policy.exemptions.length > 0) {
      console.log(`policy opt-outs (${s.policy.exemptions.length}):`);
      for (const x of s.policy.exemptions) console.log(`  - [${x.rule}] ${x.file}: ${x.object}: ${x.reason}`);
    }
  }
  return 0;
}

process.exitCode = main();
