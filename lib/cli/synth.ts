import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { formatViolations } from '../policy/gate';
import { renderAll } from '../render/pipeline';
import { removeStaleStaging, replaceFolder } from '../render/write';

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
  const outDir = resolve(values.out!);
  const argocdDir = resolve(values['argocd-out']!);

  let result;
  try {
    result = renderAll({ environments: values.env });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`synth failed, dist/ and argocd/ left unchanged:\n${e.message}`);
      return 1;
    }
    throw e;
  }
  if (result.policy.violations.length > 0) {
    console.error(`synth failed, dist/ and argocd/ left unchanged: ${result.policy.violations.length} policy violation(s):\n${formatViolations(result.policy)}\n` +
      `Fix the chart, or opt the object out of one rule with an annotation that gives the reason (see README, "Policy gate").`);
    return 1;
  }

  removeStaleStaging(outDir);
  removeStaleStaging(argocdDir);
  let written = 0;
  let unchanged = 0;
  let removed = 0;
  for (const [env, files] of result.dist) {
    const r = replaceFolder(outDir, env, files);
    written += r.written;
    unchanged += r.unchanged;
    removed += r.removed;
  }
  for (const [env, files] of result.argocd) {
    const r = replaceFolder(argocdDir, env, files);
    written += r.written;
    unchanged += r.unchanged;
    removed += r.removed;
  }

  if (!values.quiet) {
    const objects = result.files.reduce((n, f) => n + f.objects.length, 0);
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    console.log(
      `rendered ${result.environments.length} environment(s) [${result.environments.join(', ')}], ` +
        `${result.systems.length} system(s) [${result.systems.join(', ')}], ${result.files.length} files, ${objects} objects, ` +
        `${result.argocdFiles.length} Argo CD files in ${ms} ms ` +
        `(${written} written, ${unchanged} unchanged, ${removed} removed)`,
    );
    if (result.policy.exemptions.length > 0) {
      console.log(`policy opt-outs (${result.policy.exemptions.length}):`);
      for (const x of result.policy.exemptions) console.log(`  - [${x.rule}] ${x.file}: ${x.object}: ${x.reason}`);
    }
  }
  return 0;
}

process.exitCode = main();
