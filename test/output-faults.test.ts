import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { LockTimeoutError, withLock } from '../lib/render/lock';
import { FileSystem, OutputFolder, OutputWriteError, outputStateProblems, recoverInterruptedSwap, replaceFolders } from '../lib/render/write';
import { outputProblems } from '../lib/render/check';
import { ROOT, snapshotTree, Workspace } from './helpers';
import { committedRender } from './support/committed-render';

/**
 * The swap of the whole output is all or nothing: whatever fails (an error at any file-system step, a full
 * disk, a read-only folder, a kill -9 at any step), dist/ and argocd/ are afterwards entirely the old render
 * or entirely the new one, leftovers are repaired by the next run, and a mixed state is reported.
 */

const ENVS = ['dev', 'staging', 'prod'];
const OLD = (env: string) => new Map([['a/one.yaml', `old ${env} one\n`], ['b/two.yaml', `old ${env} two\n`], ['gone.yaml', 'removed in the new render\n']]);
const NEW = (env: string) => new Map([['a/one.yaml', `new ${env} one\n`], ['b/two.yaml', `old ${env} two\n`], ['c/three.yaml', 'added\n']]);

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'output-faults-'));
  for (const root of ['dist', 'argocd']) {
    for (const env of ENVS) {
      for (const [path, content] of OLD(env)) {
        mkdirSync(join(scratch, root, env, path, '..'), { recursive: true });
        writeFileSync(join(scratch, root, env, path), content);
      }
    }
  }
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const journal = () => join(scratch, '.synth-journal.json');
const roots = () => [join(scratch, 'dist'), join(scratch, 'argocd')];
const newFolders = (): OutputFolder[] => ['dist', 'argocd'].flatMap((root) => ENVS.map((env) => ({ root: join(scratch, root), folder: env, files: NEW(env) })));
/** The whole output as one map, `dist/dev/a/one.yaml` → content. */
function tree(): Map<string, string> {
  const all = new Map<string, string>();
  for (const root of ['dist', 'argocd']) for (const [path, content] of snapshotTree(join(scratch, root))) all.set(`${root}/${path}`, content);
  return all;
}
function expected(of: (env: string) => Map<string, string>): Map<string, string> {
  const all = new Map<string, string>();
  for (const root of ['dist', 'argocd']) for (const env of ENVS) for (const [path, content] of of(env)) all.set(`${root}/${env}/${path}`, content);
  return new Map([...all].sort(([a], [b]) => (a < b ? -1 : 1)));
}
const sorted = (m: Map<string, string>) => new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

/** node:fs with one call failing the n-th time it is made. */
function failing(call: keyof FileSystem, n: number, code: string): FileSystem {
  let calls = 0;
  const io = { writeFileSync: fs.writeFileSync, renameSync: fs.renameSync, linkSync: fs.linkSync, mkdirSync: fs.mkdirSync, rmSync: fs.rmSync } as Record<string, (...a: unknown[]) => unknown>;
  const real = io[call];
  io[call] = (...args: unknown[]) => {
    if (++calls === n) throw Object.assign(new Error(`${code}: injected failure, ${call} '${String(args[0])}'`), { code });
    return real(...args);
  };
  return io as unknown as FileSystem;
}

describe('the swap of dist/ and argocd/ is all or nothing', () => {
  test('a successful swap replaces every folder, leaves nothing behind, keeps unchanged files as they were', () => {
    const inodeBefore = fs.statSync(join(scratch, 'dist/dev/b/two.yaml')).ino;
    const result = replaceFolders(newFolders(), { journal: journal() });
    expect(sorted(tree())).toEqual(expected(NEW));
    expect(outputStateProblems(journal(), roots())).toEqual([]);
    expect(fs.statSync(join(scratch, 'dist/dev/b/two.yaml')).ino).toBe(inodeBefore);
    expect(result).toMatchObject({ written: 12, unchanged: 6, removed: 6 });
  });

  // Twelve writes, six renames aside and six in place: fail at every one of them.
  const faults: [keyof FileSystem, number, string][] = [
    ...[1, 2, 7, 12].map((n): [keyof FileSystem, number, string] => ['writeFileSync', n, 'ENOSPC']),
    ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n): [keyof FileSystem, number, string] => ['renameSync', n, n % 2 ? 'EACCES' : 'EROFS']),
    ['mkdirSync', 3, 'ENOSPC'],
  ];
  test.each(faults)('%s failing at call %d with %s leaves the old output whole', (call, n, code) => {
    let error: unknown;
    try {
      replaceFolders(newFolders(), { journal: journal(), fs: failing(call, n, code) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputWriteError);
    expect((error as Error).message).toMatch(new RegExp(`cannot .*${scratch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*: ${code}: `));
    expect((error as Error).message).toMatch(/disk is full|permission denied|read-only/);
    expect(sorted(tree())).toEqual(expected(OLD));
    expect(outputStateProblems(journal(), roots())).toEqual([]);
  });

  test('an old tree that cannot be removed after the swap is a warning, and the next run removes it', () => {
    let calls = 0;
    const io = { ...fs, rmSync: (p: fs.PathLike, o?: fs.RmOptions) => { if (String(p).includes('.previous-') && ++calls === 1) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }); fs.rmSync(p, o); } } as unknown as FileSystem;
    const result = replaceFolders(newFolders(), { journal: journal(), fs: io });
    expect(result.warnings).toEqual([expect.stringMatching(/could not remove the old .*\.previous-dev-\d+ .*the next run removes it/)]);
    expect(sorted(tree())).toEqual(expected(NEW));
    expect(outputStateProblems(journal(), roots())).toEqual([expect.stringMatching(/\.previous-dev-\d+ is left over from an interrupted write/)]);
    expect(recoverInterruptedSwap(journal(), roots())).toEqual([expect.stringMatching(/removed the leftover/)]);
    expect(outputStateProblems(journal(), roots())).toEqual([]);
  });
});

describe('kill -9 at any point of the write', () => {
  let bundle: string;
  beforeAll(() => {
    bundle = join(mkdtempSync(join(tmpdir(), 'write-bundle-')), 'write.cjs');
    buildSync({ entryPoints: [join(ROOT, 'lib/render/write.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning' });
  });
  afterAll(() => rmSync(dirname(bundle), { recursive: true, force: true }));

  /** Runs the swap in a child process that kills itself with SIGKILL at the given point. */
  function killedAt(point: { rename?: number; write?: number }): void {
    const script = `
      const fs = require('node:fs');
      const { replaceFolders } = require(${JSON.stringify(bundle)});
      const folders = ${JSON.stringify(newFolders().map((f) => ({ ...f, files: [...f.files] })))}.map((f) => ({ ...f, files: new Map(f.files) }));
      let writes = 0;
      const io = { ...fs, writeFileSync: (p, d) => { if (++writes === ${point.write ?? -1}) process.kill(process.pid, 'SIGKILL'); fs.writeFileSync(p, d); } };
      replaceFolders(folders, { journal: ${JSON.stringify(journal())}, fs: io, beforeRename: (step) => { if (step === ${point.rename ?? -1}) process.kill(process.pid, 'SIGKILL'); } });
    `;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
  }

  test.each([0, 1, 2, 5, 6, 11])('killed before rename %d: the mixed state is reported, the next run restores the old output', (step) => {
    killedAt({ rename: step });
    const problems = outputStateProblems(journal(), roots());
    expect(problems[0]).toMatch(/a write was interrupted and the output may be partly old, partly new/);
    expect(recoverInterruptedSwap(journal(), roots())[0]).toMatch(/rolled back the interrupted write of process \d+/);
    expect(sorted(tree())).toEqual(expected(OLD));
    expect(outputStateProblems(journal(), roots())).toEqual([]);
    // And the next swap then succeeds.
    replaceFolders(newFolders(), { journal: journal() });
    expect(sorted(tree())).toEqual(expected(NEW));
  });

  test.each([1, 7])('killed while staging file %d: nothing changed, the leftovers are removed', (write) => {
    killedAt({ write });
    expect(sorted(tree())).toEqual(expected(OLD));
    expect(outputStateProblems(journal(), roots()).length).toBeGreaterThan(0);
    recoverInterruptedSwap(journal(), roots());
    expect(outputStateProblems(journal(), roots())).toEqual([]);
    expect(sorted(tree())).toEqual(expected(OLD));
  });
});

describe('real faults (root only: an immutable folder, a full tmpfs)', () => {
  const canChattr = spawnSync('sh', ['-c', `f=$(mktemp -d /var/tmp/chattr.XXXXXX) && chattr +i "$f" && chattr -i "$f" && rmdir "$f"`]).status === 0;
  (canChattr ? test : test.skip)('an immutable environment folder: the swap fails with the folder named, everything stays old', () => {
    const base = mkdtempSync('/var/tmp/output-faults-');
    try {
      const folders: OutputFolder[] = ENVS.map((env) => ({ root: join(base, 'dist'), folder: env, files: NEW(env) }));
      for (const env of ENVS) for (const [p, c] of OLD(env)) { mkdirSync(join(base, 'dist', env, p, '..'), { recursive: true }); writeFileSync(join(base, 'dist', env, p), c); }
      spawnSync('chattr', ['+i', join(base, 'dist', 'staging')]);
      try {
        expect(() => replaceFolders(folders, { journal: join(base, '.synth-journal.json') })).toThrow(/cannot move .*dist\/staging aside: EPERM: .*permission denied/);
      } finally {
        spawnSync('chattr', ['-i', join(base, 'dist', 'staging')]);
      }
      for (const env of ENVS) expect(snapshotTree(join(base, 'dist', env))).toEqual(OLD(env));
      expect(outputStateProblems(join(base, '.synth-journal.json'), [join(base, 'dist')])).toEqual([]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  // Mounted inside the test, never at collection time: a filtered run skips afterAll hooks and would leak the mount.
  const canMount = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"']).status === 0;
  (canMount ? test : test.skip)('a full disk: ENOSPC is reported with the file, everything stays old, nothing is left behind', () => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'full-disk-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]).status).toBe(0);
    try {
      fullDisk(mountPoint);
    } finally {
      spawnSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });
  function fullDisk(mountPoint: string): void {
    for (const env of ENVS) for (const [p, c] of OLD(env)) { mkdirSync(join(mountPoint, 'dist', env, p, '..'), { recursive: true }); writeFileSync(join(mountPoint, 'dist', env, p), c); }
    const big = 'x'.repeat(100 * 1024);
    const folders: OutputFolder[] = ENVS.map((env) => ({ root: join(mountPoint, 'dist'), folder: env, files: new Map([...NEW(env), ['big.yaml', big]]) }));
    expect(() => replaceFolders(folders, { journal: join(mountPoint, '.synth-journal.json') })).toThrow(/cannot write .*big\.yaml.*: ENOSPC: .*the disk is full/);
    for (const env of ENVS) expect(snapshotTree(join(mountPoint, 'dist', env))).toEqual(OLD(env));
    expect(outputStateProblems(join(mountPoint, '.synth-journal.json'), [join(mountPoint, 'dist')])).toEqual([]);
  }
});

describe('the synth lock', () => {
  test('a lock left by a process that is gone is taken over', () => {
    const lock = join(scratch, '.synth.lock');
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: require('node:os').hostname(), started: '2026-01-01T00:00:00Z', command: 'x' }));
    expect(withLock(lock, () => 'ran')).toBe('ran');
    expect(fs.existsSync(lock)).toBe(false);
  });

  test('a live holder makes the second run wait, then fail naming the holder', () => {
    const lock = join(scratch, '.synth.lock');
    const waited: string[] = [];
    expect(() => withLock(lock, () => withLock(lock, () => 'never', { timeoutMs: 300, onWait: (h) => waited.push(h) }))).toThrow(LockTimeoutError);
    expect(waited).toEqual([expect.stringMatching(new RegExp(`npm run synth, process ${process.pid} on .*, started `))]);
    expect(fs.existsSync(lock)).toBe(false);
  });

  test('two npm run synth at once: both succeed, one after the other, and the output is whole', async () => {
    const ws = new Workspace();
    try {
      const names = [...snapshotTree(join(ws.dir, 'dist')).keys()];
      const run = () => new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, ['scripts/run.mjs', 'cli/synth.ts', '--quiet'], { cwd: ws.dir });
        let stderr = '';
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('close', (code) => done({ code, stderr }));
      });
      // The first build of the bundle is not what is tested: build it once before the race (--help renders
      // nothing), and change data, not code, so that the racing runs find it current.
      expect(ws.synthCli('--help').status).toBe(0);
      ws.edit('releases/dev.json', (s) => s.replace(/("backend": \{\s*"tag": )"1\.4\.0"/, '$1"1.4.1"'));
      const [a, b] = await Promise.all([run(), run()]);
      expect({ a, b }).toMatchObject({ a: { code: 0 }, b: { code: 0 } });
      expect(`${a.stderr}${b.stderr}`).not.toMatch(/Error|\n\s+at /);
      // The second waited for the first, unless the first was already done when it came to write.
      expect(`${a.stderr}${b.stderr}`).toMatch(/^(synth: waiting for the output lock, held by npm run synth, process \d+ .*\n)?$/);
      expect([...snapshotTree(join(ws.dir, 'dist')).keys()]).toEqual(names);
      expect(readFileSync(join(ws.dir, 'dist/dev/port-assignment/backend.yaml'), 'utf8')).toContain('/port-assignment/backend:1.4.1\n');
      expect(outputStateProblems(join(ws.dir, '.synth-journal.json'), [join(ws.dir, 'dist'), join(ws.dir, 'argocd')])).toEqual([]);
      expect(fs.existsSync(join(ws.dir, '.synth.lock'))).toBe(false);
    } finally {
      ws.remove();
    }
  });
});

describe('npm run check reports a mixed or stale output', () => {
  const fresh = committedRender();
  const copy = () => {
    for (const folder of ['dist', 'argocd']) fs.cpSync(join(ROOT, folder), join(scratch, folder), { recursive: true });
    return { outDir: join(scratch, 'dist'), argocdDir: join(scratch, 'argocd'), journal: join(scratch, '.synth-journal.json') };
  };
  beforeEach(() => {
    rmSync(join(scratch, 'dist'), { recursive: true, force: true });
    rmSync(join(scratch, 'argocd'), { recursive: true, force: true });
  });

  test('the committed output is whole and current', () => {
    expect(outputProblems(fresh, { outDir: join(ROOT, 'dist'), argocdDir: join(ROOT, 'argocd'), docsDir: join(ROOT, 'docs'), journal: join(ROOT, '.synth-journal.json') })).toEqual([]);
  });

  test('a stale or removed diagram in docs/platforms/ is reported; hand-written docs are not', () => {
    const docsDir = join(scratch, 'docs');
    rmSync(docsDir, { recursive: true, force: true });
    fs.cpSync(join(ROOT, 'docs'), docsDir, { recursive: true });
    writeFileSync(join(docsDir, 'platforms/storefront.md'), 'old\n');
    writeFileSync(join(docsDir, 'platforms/gone.md'), 'a platform that no longer exists\n');
    rmSync(join(docsDir, 'platforms/toytrex.md'));
    expect(outputProblems(fresh, { ...copy(), docsDir })).toEqual([
      'docs/platforms/storefront.md differs from a fresh render',
      'docs/platforms/toytrex.md is missing',
      'docs/platforms/gone.md is not rendered any more',
    ]);
  });

  test('dist/dev new but argocd/dev old, a missing file, a leftover and a journal are each reported', () => {
    const folders = copy();
    writeFileSync(join(scratch, 'argocd/dev/root.yaml'), 'old\n');
    rmSync(join(scratch, 'dist/prod/storefront/web.yaml'));
    mkdirSync(join(scratch, 'dist/.previous-dev-1'));
    writeFileSync(folders.journal, '{}');
    expect(outputProblems(fresh, folders)).toEqual([
      expect.stringMatching(/\.synth-journal\.json exists: a write was interrupted and the output may be partly old, partly new/),
      expect.stringMatching(/dist\/\.previous-dev-1 is left over from an interrupted write/),
      'dist/prod/storefront/web.yaml is missing',
      'argocd/dev/root.yaml differs from a fresh render',
    ]);
  });
});
