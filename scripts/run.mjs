#!/usr/bin/env node
// Runs a TypeScript entry point without type checking: esbuild bundles it, dependencies included, into
// .build/ and Node runs the result. Type checking lives in `npm test`, never in the render path. One
// tree-shaken file loads faster than hundreds of modules (zod's unused locales, cdk8s-plus's L2 classes
// are left out). The bundle is reused while none of its inputs changed, so a repeated run skips esbuild: an
// input newer than the bundle is compared by content (SHA-256), so a copy of the repository (a test's scratch
// workspace) or a checkout back and forth reuses it too.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs <entry.ts> [args...]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const outdir = join(root, '.build');
const outfile = join(outdir, basename(entry).replace(/\.ts$/, '.cjs'));
const inputsFile = `${outfile}.inputs.json`;

// V8 lets the heap grow to about four times what survived the last full collection before collecting again:
// for a process that renders and exits that is memory held for nothing (3 × 1000 services peaked at 340 MB
// with 100 MB live). Growing by a fifth keeps it near 240 MB at the price of a few more full collections (tens of
// milliseconds there). A collector heuristic V8 reads at every collection, so it can be set once the process runs.
v8.setFlagsFromString('--heap-growing-percent=20');
if (!upToDate()) await build();
process.argv = [process.argv[0], outfile, ...args];
runWithCodeCache(outfile);

/**
 * Bundles the entry point into .build/. A function of its own, so esbuild's result (the bundle and its map as
 * strings, 20 MB) is garbage before the bundle runs rather than held by the module's frame.
 */
async function build() {
  mkdirSync(outdir, { recursive: true });
  // Loaded only when the bundle must be rebuilt: loading esbuild costs more than checking the inputs.
  const { buildSync } = await import('esbuild');
  let result;
  try {
    result = buildSync({
      entryPoints: [resolve(entry)],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // A linked map keeps the bundle small (Node parses every byte); use NODE_OPTIONS=--enable-source-maps to debug.
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      // Written below, each file by an atomic rename: two runs rebuilding at once never read a half-written bundle.
      write: false,
    });
  } catch (e) {
    // A syntax error in a chart or an environment: esbuild's message names the file, line and column.
    const errors = (e.errors ?? []).map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ''}${m.text}`);
    console.error(`${basename(entry, '.ts')}: cannot compile the code, nothing was changed:\n${(errors.length > 0 ? errors : [e.message]).map((l) => `  ${l}`).join('\n')}`);
    process.exit(1);
  }
  // Paths relative to the repository root, each with the hash of what was bundled.
  const inputs = [...Object.keys(result.metafile.inputs).map((p) => resolve(p)), fileURLToPath(import.meta.url)]
    .map((p) => ({ path: relative(root, p), sha256: sha256(p) }));
  rmSync(`${outfile}.v8-cache`, { force: true });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  writeAtomically(inputsFile, JSON.stringify({ entry: relative(root, resolve(entry)), inputs }));
}

/**
 * Runs the CommonJS bundle like require() would, with V8's code cache: after the first run, the functions it
 * compiled are stored beside the bundle and later runs skip parsing and compiling them (Node 22 has this as
 * module.enableCompileCache(); Node 20 needs the vm API). V8 rejects a cache that does not match the source.
 */
function runWithCodeCache(file) {
  const cacheFile = `${file}.v8-cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        writeAtomically(cacheFile, script.createCachedData());
      } catch {
        rmSync(cacheFile, { force: true });
      }
    });
  }
  const module = new Module(file);
  module.filename = file;
  module.paths = Module._nodeModulePaths(dirname(file));
  const compiled = script.runInThisContext({ displayErrors: true });
  try {
    compiled.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  } catch (e) {
    // Thrown while the modules load (a chart's top level), before the command can report it; no stack trace.
    console.error(`${basename(entry, '.ts')} failed while loading the code, nothing was changed: ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
    process.exitCode = 1;
  }
}

/** Writes a file beside its place and renames it there, so a concurrent reader sees the old or the new file. */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** Is the bundle current: built from this entry, and every input older than it or with the content it had? */
function upToDate() {
  try {
    const built = statSync(outfile).mtimeMs;
    const { entry: builtEntry, inputs } = JSON.parse(readFileSync(inputsFile, 'utf8'));
    if (builtEntry !== relative(root, resolve(entry))) return false;
    return inputs.every(({ path, sha256: bundled }) => {
      const file = join(root, path);
      return statSync(file).mtimeMs < built || sha256(file) === bundled;
    });
  } catch {
    return false;
  }
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
