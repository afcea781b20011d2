import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface WriteResult {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/**
 * Replaces `<root>/<folder>` with exactly `files` (paths relative to the folder), or leaves it untouched.
 * The new tree is assembled beside the old one: unchanged files are hard links to the existing ones (same
 * bytes, same mtime, nothing rewritten), changed files are written; then two renames swap the folders. A
 * reader never sees a half-written folder and a failure before the swap changes nothing.
 */
export function replaceFolder(root: string, folder: string, files: ReadonlyMap<string, string>): WriteResult {
  const target = join(root, folder);
  const staging = join(root, `.staging-${folder.replace(/\//g, '_')}-${process.pid}`);
  const previous = join(root, `.previous-${folder.replace(/\//g, '_')}-${process.pid}`);
  // The common case: nothing changed. Then the folder is not touched at all.
  const existing = listFiles(target);
  if (existing.length === files.size && existing.every((f) => files.has(f) && sameContent(join(target, f), files.get(f)!))) {
    return { written: 0, unchanged: files.size, removed: 0 };
  }
  mkdirSync(root, { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  let written = 0;
  let unchanged = 0;
  try {
    for (const [path, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const staged = join(staging, path);
      const existing = join(target, path);
      mkdirSync(dirname(staged), { recursive: true });
      if (sameContent(existing, content) && tryLink(existing, staged)) {
        unchanged++;
      } else {
        writeFileSync(staged, content);
        written++;
      }
    }
    if (files.size === 0) mkdirSync(staging, { recursive: true });
    const removed = existing.filter((f) => !files.has(f)).length;
    if (existsSync(target)) {
      renameSync(target, previous);
      try {
        renameSync(staging, target);
      } catch (e) {
        renameSync(previous, target);
        throw e;
      }
      rmSync(previous, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
    return { written, unchanged, removed };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Leftovers of a render that was killed mid-way. */
export function removeStaleStaging(root: string): void {
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('.staging-') || entry.startsWith('.previous-')) rmSync(join(root, entry), { recursive: true, force: true });
  }
}

function sameContent(path: string, content: string): boolean {
  try {
    return readFileSync(path, 'utf8') === content;
  } catch {
    return false;
  }
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch {
    return false;
  }
}

/** Every file below a folder, relative to it, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}
