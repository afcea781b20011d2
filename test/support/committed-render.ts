import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { PLATFORMS } from '../../charts';
import { renderAll, RenderResult } from '../../lib/render/pipeline';

const ROOT = join(__dirname, '..', '..');
/** Everything `renderAll({ platforms: PLATFORMS })` reads: the code, the environments with their facts and releases, the add-ons. */
const INPUTS = ['lib', 'charts', 'environments', 'imports', 'addons', 'releases', 'package-lock.json', 'test/support/esbuild-transform.js', 'test/support/committed-render.ts'];
const CACHE_DIR = join(ROOT, '.build', 'test-render');

let memo: RenderResult | undefined;

/**
 * `renderAll({ platforms: PLATFORMS })` of the committed environments, shared by the test files that only read it. Each jest worker
 * would render the same everything again (a second or more each); instead the first one to need it keeps it in
 * `.build/test-render/`, named by the SHA-256 of every input file, so any change to the code or the data
 * renders afresh. Tests about rendering itself (determinism, changed input) call `renderAll` directly.
 */
export function committedRender(): RenderResult {
  if (memo) return memo;
  const file = join(CACHE_DIR, `${inputsHash()}.v8`);
  if (existsSync(file)) {
    const { files, argocdFiles, ...rest } = deserialize(readFileSync(file)) as RenderResult;
    // v8 makes its objects in Node's own realm, not in the test's: jest compares Maps and Sets by constructor, so
    // they are rebuilt here. The objects of the files are JSON (plain objects and arrays), which compare alike.
    memo = { ...(inThisRealm(rest) as Omit<RenderResult, 'files' | 'argocdFiles'>), files, argocdFiles };
    return memo;
  }
  memo = renderAll({ platforms: PLATFORMS });
  mkdirSync(CACHE_DIR, { recursive: true });
  for (const old of readdirSync(CACHE_DIR)) if (old.endsWith('.v8')) rmSync(join(CACHE_DIR, old), { force: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, serialize(memo));
  renameSync(temporary, file);
  return memo;
}

function inputsHash(): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
    } else {
      hash.update(`${relative(ROOT, path)}\0`).update(readFileSync(path)).update('\0');
    }
  };
  for (const input of INPUTS) add(join(ROOT, input));
  return hash.digest('hex');
}

function inThisRealm(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Object.prototype.toString.call(value) === '[object Map]') return new Map([...(value as Map<unknown, unknown>)].map(([k, v]) => [k, inThisRealm(v)]));
  if (Object.prototype.toString.call(value) === '[object Set]') return new Set([...(value as Set<unknown>)].map(inThisRealm));
  if (Array.isArray(value)) return value.map(inThisRealm);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inThisRealm(v)]));
}

/**
 * The objects of `dist/` and `argocd/` as `readOutput` of scripts/schemas.ts reads them from the files, in its order,
 * taken from the shared render instead (the committed files equal it: test/render.test.ts).
 */
export function committedOutput(): { file: string; object: Record<string, unknown> }[] {
  const result = committedRender();
  const files = [
    ...result.files.map((f) => ({ path: `dist/${f.path}`, objects: f.objects })),
    ...result.argocdFiles.map((f) => ({ path: `argocd/${f.path}`, objects: f.objects })),
  ];
  const order = ['dist', 'argocd'];
  const byFolder = (a: string, b: string): number => {
    const [x, y] = [a.split('/'), b.split('/')];
    if (x[0] !== y[0]) return order.indexOf(x[0]) - order.indexOf(y[0]);
    for (let i = 1; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return x.length - y.length;
  };
  return files
    .sort((a, b) => byFolder(a.path, b.path))
    .flatMap((f) => f.objects.map((object) => ({ file: f.path, object: object as unknown as Record<string, unknown> })));
}
