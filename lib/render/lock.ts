import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds the lock, as written into the lock file. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly command: string;
}

export class LockTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockTimeoutError';
  }
}

export interface LockOptions {
  /** How long to wait for another holder. @default 120000 */
  readonly timeoutMs?: number;
  /** Told once when the lock is held by another process and this one starts waiting. */
  readonly onWait?: (holder: string) => void;
}

/**
 * Runs `step` while holding an exclusive lock file, so two `npm run synth` never write `dist/` and `argocd/`
 * at once: the second waits for the first (and says for whom), then finds the output already current. A lock
 * left by a process that no longer runs (killed) is taken over.
 */
export function withLock<T>(file: string, step: () => T, options: LockOptions = {}): T {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let told = false;
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  const mine = JSON.stringify(me);
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const text = readQuietly(file);
    if (text === undefined) continue;
    const holder = parseHolder(text);
    if (holder === undefined || isStale(holder)) {
      breakStale(file, text);
      continue;
    }
    const who = describe(holder);
    if (Date.now() > deadline) {
      throw new LockTimeoutError(`${file} is held by ${who}; wait for it to finish, or delete the file if that process no longer runs`);
    }
    if (!told) {
      options.onWait?.(who);
      told = true;
    }
    sleep(100);
  }
  try {
    return step();
  } finally {
    if (readQuietly(file) === mine) rmSync(file, { force: true });
  }
}

function describe(h: Holder): string {
  return `npm run synth, process ${h.pid} on ${h.host}, started ${h.started}${h.command ? ` (${h.command})` : ''}`;
}

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Holder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    // Written by a process killed between creating and writing the file: its age decides below.
    return undefined;
  }
}

/** A holder on this host whose process is gone (or is another program that reused the pid). */
function isStale(h: Holder): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const cmdline = readQuietly(`/proc/${h.pid}/cmdline`);
  return cmdline !== undefined && !cmdline.includes('node');
}

/**
 * Removes a stale lock, unless someone else did and took a fresh one meanwhile: a second lock file makes
 * the check and the removal one step. An empty lock (its writer was killed at once) counts as stale after a second.
 */
function breakStale(file: string, staleText: string): void {
  if (staleText === '' && Date.now() - (statQuietly(file) ?? 0) < 1000) {
    sleep(50);
    return;
  }
  const breaker = `${file}.break`;
  try {
    closeSync(openSync(breaker, 'wx'));
  } catch {
    if (Date.now() - (statQuietly(breaker) ?? Date.now()) > 10_000) rmSync(breaker, { force: true });
    sleep(50);
    return;
  }
  try {
    if (readQuietly(file) === staleText) rmSync(file, { force: true });
  } finally {
    rmSync(breaker, { force: true });
  }
}

function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function statQuietly(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
