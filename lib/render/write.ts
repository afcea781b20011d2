import * as fs from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

export interface WriteResult {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
  /** Leftovers that could not be removed after a successful swap (the next run removes them). */
  readonly warnings: readonly string[];
}

/** One folder of the output to be replaced by exactly `files`, e.g. `dist/` + `prod`. */
export interface OutputFolder {
  readonly root: string;
  readonly folder: string;
  /** Paths relative to the folder → content. */
  readonly files: ReadonlyMap<string, string>;
}

/** The file-system calls the swap makes; tests replace them to inject failures (a full disk, a read-only file). */
export interface FileSystem {
  writeFileSync(path: string, data: string): void;
  renameSync(from: string, to: string): void;
  linkSync(from: string, to: string): void;
  mkdirSync(path: string, options: { recursive: true }): void;
  rmSync(path: string, options: { recursive: true; force: true }): void;
}

const NODE_FS: FileSystem = fs;

export interface ReplaceOptions {
  /**
   * The journal of the swap. It exists exactly while folders are being swapped; a run that finds one was
   * interrupted and is rolled back by `recoverInterruptedSwap`.
   */
  readonly journal: string;
  readonly fs?: FileSystem;
  /** Called before each rename of the swap (for fault tests: a kill at every step). */
  readonly beforeRename?: (step: number) => void;
}

/** A swap in progress: each folder's target, the complete new tree beside it, and where the old one is parked. */
interface Journal {
  readonly pid: number;
  readonly moves: readonly { readonly target: string; readonly staging: string; readonly previous: string; readonly existed: boolean }[];
}

/** A failure to write the output; the message names the file and the cause. */
export class OutputWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputWriteError';
  }
}

/**
 * Replaces every given folder with its new files, all or nothing: after any failure (an error, a full disk,
 * a kill -9 at any point) the folders hold either all the old trees or all the new ones.
 *
 * 1. Each changed folder's new tree is assembled beside it (`.staging-*`); unchanged files are hard links
 *    to the existing ones (same bytes, same mtime). A failure here removes the staging trees: nothing changed.
 * 2. A journal lists the swaps; then each folder is renamed away (`.previous-*`) and its new tree renamed in.
 *    An error rolls back the renames done; a kill leaves the journal, and the next run rolls back.
 * 3. Removing the journal commits; only then are the old trees deleted.
 * Unchanged folders are not touched at all.
 */
export function replaceFolders(folders: readonly OutputFolder[], options: ReplaceOptions): WriteResult {
  const io = options.fs ?? NODE_FS;
  let written = 0;
  let unchanged = 0;
  let removed = 0;
  const moves: { target: string; staging: string; previous: string; existed: boolean }[] = [];
  try {
    for (const { root, folder, files } of folders) {
      const target = join(root, folder);
      const existing = listFiles(target);
      if (existing.length === files.size && existing.every((f) => files.has(f) && sameContent(join(target, f), files.get(f)!))) {
        unchanged += files.size;
        continue;
      }
      const tag = `${folder.replace(/\//g, '_')}-${process.pid}`;
      const move = { target, staging: join(root, `.staging-${tag}`), previous: join(root, `.previous-${tag}`), existed: fs.existsSync(target) };
      moves.push(move);
      attempt(`create ${display(root)}`, () => io.mkdirSync(root, { recursive: true }));
      io.rmSync(move.staging, { recursive: true, force: true });
      attempt(`create ${display(move.staging)}`, () => io.mkdirSync(move.staging, { recursive: true }));
      for (const [path, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const staged = join(move.staging, path);
        const current = join(target, path);
        attempt(`create ${display(dirname(staged))}`, () => io.mkdirSync(dirname(staged), { recursive: true }));
        if (sameContent(current, content) && tryLink(io, current, staged)) {
          unchanged++;
        } else {
          attempt(`write ${display(join(target, path))} (staged in ${display(move.staging)})`, () => io.writeFileSync(staged, content));
          written++;
        }
      }
      removed += existing.filter((f) => !files.has(f)).length;
    }
  } catch (e) {
    for (const m of moves) quietly(() => io.rmSync(m.staging, { recursive: true, force: true }));
    throw e;
  }
  if (moves.length === 0) return { written, unchanged, removed, warnings: [] };

  try {
    writeJournal(io, options.journal, { pid: process.pid, moves });
  } catch (e) {
    for (const m of moves) quietly(() => io.rmSync(m.staging, { recursive: true, force: true }));
    throw e;
  }
  let step = 0;
  const done: typeof moves = [];
  try {
    for (const m of moves) {
      if (m.existed) {
        options.beforeRename?.(step++);
        attempt(`move ${display(m.target)} aside`, () => io.renameSync(m.target, m.previous));
      }
      done.push(m);
      options.beforeRename?.(step++);
      attempt(`move the new ${display(m.target)} in place`, () => io.renameSync(m.staging, m.target));
    }
  } catch (e) {
    try {
      rollBack(io, done);
      io.rmSync(options.journal, { recursive: true, force: true });
    } catch (rollbackError) {
      throw new OutputWriteError(
        `${(e as Error).message}; rolling back failed too (${(rollbackError as Error).message}): the next \`npm run synth\` restores the old output from ${display(options.journal)}`,
      );
    }
    for (const m of moves) quietly(() => io.rmSync(m.staging, { recursive: true, force: true }));
    throw e;
  }
  attempt(`remove the journal ${display(options.journal)}`, () => io.rmSync(options.journal, { recursive: true, force: true }));
  const warnings: string[] = [];
  for (const m of moves) {
    try {
      io.rmSync(m.previous, { recursive: true, force: true });
    } catch (e) {
      warnings.push(`could not remove the old ${display(m.previous)} (${(e as Error).message}); the next run removes it`);
    }
  }
  return { written, unchanged, removed, warnings };
}

/**
 * Rolls back a swap that a killed run left half done (its journal exists), so the output is entirely the
 * old render again; then removes every staging and previous tree left behind. Call under the synth lock.
 * @returns what was repaired, for the user
 */
export function recoverInterruptedSwap(journal: string, roots: readonly string[], io: FileSystem = NODE_FS): string[] {
  const repaired: string[] = [];
  if (fs.existsSync(journal)) {
    let parsed: Journal;
    try {
      parsed = JSON.parse(fs.readFileSync(journal, 'utf8')) as Journal;
    } catch {
      parsed = { pid: 0, moves: [] };
    }
    rollBack(io, parsed.moves);
    io.rmSync(journal, { recursive: true, force: true });
    repaired.push(`rolled back the interrupted write of process ${parsed.pid} (${parsed.moves.map((m) => display(m.target)).join(', ') || 'no folders'})`);
  }
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const entry of fs.readdirSync(root)) {
      if (entry.startsWith('.staging-') || entry.startsWith('.previous-')) {
        io.rmSync(join(root, entry), { recursive: true, force: true });
        repaired.push(`removed the leftover ${display(join(root, entry))}`);
      }
    }
  }
  return repaired;
}

/** What is wrong with the output's state right now (an interrupted swap, leftovers); empty when it is whole. */
export function outputStateProblems(journal: string, roots: readonly string[]): string[] {
  const problems: string[] = [];
  if (fs.existsSync(journal)) problems.push(`${display(journal)} exists: a write was interrupted and the output may be partly old, partly new (the next \`npm run synth\` rolls it back)`);
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const entry of fs.readdirSync(root)) {
      if (entry.startsWith('.staging-') || entry.startsWith('.previous-')) problems.push(`${display(join(root, entry))} is left over from an interrupted write`);
    }
  }
  return problems;
}

/** Undoes the renames of the given moves, last first; each step is idempotent so a second attempt finishes the job. */
function rollBack(io: FileSystem, moves: Journal['moves']): void {
  for (const m of [...moves].reverse()) {
    if (m.existed) {
      if (fs.existsSync(m.previous)) {
        if (fs.existsSync(m.target)) {
          io.rmSync(m.staging, { recursive: true, force: true });
          io.renameSync(m.target, m.staging);
        }
        io.renameSync(m.previous, m.target);
      }
    } else if (fs.existsSync(m.target) && !fs.existsSync(m.staging)) {
      io.renameSync(m.target, m.staging);
    }
    io.rmSync(m.staging, { recursive: true, force: true });
  }
}

function writeJournal(io: FileSystem, file: string, journal: Journal): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    attempt(`write the journal ${display(file)}`, () => {
      io.writeFileSync(temporary, JSON.stringify(journal, null, 2));
      io.renameSync(temporary, file);
    });
  } finally {
    quietly(() => io.rmSync(temporary, { recursive: true, force: true }));
  }
  // Durable before the first rename: after a crash the journal must be there to roll back from.
  try {
    const fd = fs.openSync(file, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // A file system without fsync still has the journal in its cache, which survives a killed process.
  }
}

/** Runs a file-system step; its error becomes an OutputWriteError that names the file and the cause. */
function attempt(what: string, step: () => void): void {
  try {
    step();
  } catch (e) {
    if (e instanceof OutputWriteError) throw e;
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === 'ENOSPC' ? ' (the disk is full: free space and run again)'
      : err.code === 'EACCES' || err.code === 'EPERM' ? ' (permission denied: check the owner and mode of the file and its folder)'
      : err.code === 'EROFS' ? ' (the file system is read-only)' : '';
    throw new OutputWriteError(`cannot ${what}: ${err.code ?? err.name}: ${err.message.replace(/^[A-Z]+: /, '')}${hint}`);
  }
}

function quietly(step: () => void): void {
  try {
    step();
  } catch {
    // Best effort: a leftover is removed by the next run.
  }
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : rel || basename(path);
}

function sameContent(path: string, content: string): boolean {
  try {
    return fs.readFileSync(path, 'utf8') === content;
  } catch {
    return false;
  }
}

function tryLink(io: FileSystem, from: string, to: string): boolean {
  try {
    io.linkSync(from, to);
    return true;
  } catch {
    return false;
  }
}

/** Every file below a folder, relative to it, sorted by code point. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
