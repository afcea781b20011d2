import { writeFileSync } from 'node:fs';
import { ENVIRONMENTS, loadEnvironment } from '../environments';
import { bumpFromMirror, DEFAULT_REHEARSAL, rehearseUpgrade } from '../lib/review/chart-bump';
import { ChartLock } from '../lib/addons/chart-lock';
import { renderAddons } from '../lib/addons/render';
import { chartSource } from '../lib/addons/chart-source';
import { formatDiffMarkdown, upgradeHighlights } from '../lib/review/manifest-diff';
import { ConfigError } from '../lib/errors';
import { toYaml } from '../lib/render/serialize';
import { parseCommandLine, usage } from './args';

const spec = {
  usage: 'npm run addons:verify -- [--rehearse <chart>[@<version>]]... [--no-rehearsal] [--rehearsal-out <file.md>]',
  description:
    'Renders every add-on release of every environment with the real helm from the chart source (offline: the\n' +
    'mirror), ignoring the render cache, and fails when the result differs from the committed render. Then rehearses\n' +
    'a chart upgrade: the lock with the named charts at another version the mirror holds, rendered with helm into\n' +
    'memory and compared with the committed output, the way `npm run diff` shows a real bump. It fails when the\n' +
    'upgrade changes no object beyond version labels. Nothing is written to the repository.',
  options: {
    rehearse: {
      type: 'string', multiple: true, value: '<chart>[@<version>]',
      help: `a chart of the lock to rehearse an upgrade of; without @<version>, the mirror's newest other version (default: ${DEFAULT_REHEARSAL.join(', ')})`,
    },
    'no-rehearsal': { type: 'boolean', help: 'only verify the committed render' },
    'rehearsal-out': { type: 'string', value: '<file.md>', help: "write the rehearsed upgrade's diff (Markdown, as npm run diff prints it) to a file" },
  },
} as const;

function main(): number {
  const { values } = parseCommandLine(spec);
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
  if (values['no-rehearsal']) return 0;
  return rehearse((values.rehearse as string[] | undefined) ?? [...DEFAULT_REHEARSAL], values['rehearsal-out'] as string | undefined);
}

/** Rehearses the upgrade of the named charts in the first environment and checks it shows as object changes. */
function rehearse(charts: readonly string[], out: string | undefined): number {
  const started = Date.now();
  const env = loadEnvironment(ENVIRONMENTS[0]);
  try {
    const lock = ChartLock.load();
    const changes = charts.map((c) => {
      const [name, version] = c.split('@');
      return bumpFromMirror(lock, chartSource(), name, version);
    });
    const { diff, rendered } = rehearseUpgrade(env, changes);
    const h = upgradeHighlights(diff);
    const what = changes.map((c) => `${c.name} ${lock.get(c.name).version} → ${c.version}`).join(', ');
    if (out) writeFileSync(out, formatDiffMarkdown(diff, { base: `the lock (rehearsed: ${what})` }));
    if (h.substantive === 0) {
      console.error(`addons:verify: the rehearsed upgrade (${what}) in ${env.name} changes no object beyond version labels (${rendered.join(', ') || 'nothing'} rendered); a reviewer would see only a version string`);
      return 1;
    }
    const objects = diff.reduce((n, g) => n + g.changes.length, 0);
    console.log(
      `addons:verify: rehearsed ${what} in ${env.name} (${rendered.join(', ')} rendered with helm, ${((Date.now() - started) / 1000).toFixed(1)}s): ` +
        `${objects} object(s) change, ${h.substantive} beyond version labels — ${h.images.length} image(s), ${h.rbac.length} RBAC object(s), ${h.crds.length} CRD(s)` +
        `${out ? `; the diff is in ${out}` : ''}`,
    );
    for (const i of h.images) console.log(`  image ${i.group}: ${i.object} ${i.path.replace(/^\/spec\/template\/spec\//, '')}: ${String(i.before)} → ${String(i.after)}`);
    for (const r of h.rbac) console.log(`  RBAC ${r.group}: ${r.status} ${r.object}`);
    for (const c of h.crds) console.log(`  CRD ${c.group}: ${c.status} ${c.object}`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`addons:verify: the upgrade rehearsal failed: ${e.message}\n\n${usage(spec)}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main();
