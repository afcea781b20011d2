#!/usr/bin/env node
// Runs a TypeScript entry point without type checking: esbuild bundles it, dependencies included, into
// .build/ and Node runs the result. Type checking lives in `npm test`, never in the render path. One
// tree-shaken file loads faster than hundreds of modules (zod's unused locales, cdk8s-plus's L2 classes
// are left out). The bundle is reused while none of its inputs changed, so a repeated run skips esbuild.
import { buildSync } from 'esbuild';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs <entry.ts> [args...]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const outdir = join(root, '.build');
const outfile = join(outdir, basename(entry).replace(/\.ts$/, '.cjs'));
const inputsFile = `${outfile}.inputs.json`;

if (!upToDate()) {
  mkdirSync(outdir, { recursive: true });
  const result = buildSync({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // A linked map keeps the bundle small (Node parses every byte); use NODE_OPTIONS=--enable-source-maps to debug.
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(p));
  writeFileSync(inputsFile, JSON.stringify({ entry: resolve(entry), inputs: [...inputs, fileURLToPath(import.meta.url)] }));
}
process.argv = [process.argv[0], outfile, ...args];
// require(), not import(): Node would first scan the whole CommonJS bundle for its exports.
createRequire(import.meta.url)(outfile);

function upToDate() {
  try {
    const built = statSync(outfile).mtimeMs;
    const { entry: builtEntry, inputs } = JSON.parse(readFileSync(inputsFile, 'utf8'));
    return builtEntry === resolve(entry) && inputs.every((p) => statSync(p).mtimeMs < built);
  } catch {
    return false;
  }
}
