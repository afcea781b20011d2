import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseCommandLine } from '../cli/args';
import { pinnedFiles, planSchemas, SCHEMA_DIR } from './schemas';

/**
 * `npm run schemas`: (re)writes `schemas/`, the kubeconform schemas of every kind `dist/` and `argocd/` use, from
 * the schema and chart mirrors next to the repository (see scripts/schemas.ts and docs/validation.md). Run it
 * after `npm run synth` whenever the output gains a kind or an add-on's chart version changes.
 */
const spec = {
  usage: 'npm run schemas -- [--check] [--schema-mirror <dir>] [--chart-mirror <dir>]',
  description:
    'Pins the kubeconform schemas the rendered output needs into schemas/: the Kubernetes kinds used, for each\n' +
    'Kubernetes version validated, and the custom resource kinds used, from the CRDs the clusters install.',
  options: {
    check: { type: 'boolean', help: 'write nothing; exit 1 when schemas/ differs from what would be written' },
    'schema-mirror': { type: 'string', value: '<dir>', help: 'kubeconform schema mirror', default: '../shared/schemas' },
    'chart-mirror': { type: 'string', value: '<dir>', help: 'Helm chart mirror (<chart>-<version>.tgz)', default: '../shared/charts' },
  },
} as const;

function main(): number {
  const { values } = parseCommandLine(spec);
  // The bundle runs from .build/, the source from scripts/: the repository is one level up either way.
  const root = resolve(__dirname, '..');
  const sources = { schemaMirror: resolve(root, String(values['schema-mirror'])), chartMirror: resolve(root, String(values['chart-mirror'])) };
  let planned;
  try {
    planned = planSchemas(root, sources);
  } catch (e) {
    console.error(`schemas: ${(e as Error).message}`);
    return 1;
  }
  const pinned = pinnedFiles(root);
  const wanted = new Map(planned.map((p) => [p.path, p.content]));
  const stale = [...pinned.keys()].filter((p) => !wanted.has(p));
  const changed = planned.filter((p) => pinned.get(p.path) !== p.content).map((p) => p.path);
  if (values.check) {
    if (stale.length + changed.length === 0) {
      console.log(`schemas/ is up to date (${planned.length} files)`);
      return 0;
    }
    for (const p of changed) console.error(`  ${pinned.has(p) ? 'differs' : 'missing'}: schemas/${p}`);
    for (const p of stale) console.error(`  not needed: schemas/${p}`);
    console.error('schemas/ is out of date: run `npm run schemas` and commit schemas/');
    return 1;
  }
  const dir = join(root, SCHEMA_DIR);
  for (const p of stale) rmSync(join(dir, p));
  for (const p of changed) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), wanted.get(p)!);
  }
  console.log(`schemas/: ${planned.length} files, ${changed.length} written, ${stale.length} removed`);
  return 0;
}

process.exitCode = main();
