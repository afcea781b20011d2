import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where Go's module cache holds a module; when it is not there yet, `go mod download` fetches it through the
 * module proxy (with GOTOOLCHAIN=auto, since a module may ask for a newer Go than the one installed).
 */
export function goModuleDir(moduleAtVersion: string): string {
  const go = [process.env.GO, 'go', '/usr/local/go/bin/go'].find((g) => g && spawnSync(g, ['version']).status === 0);
  if (!go) throw new Error(`Go is needed to find the CRDs of ${moduleAtVersion} in its module cache; install Go >= 1.24`);
  const cache = spawnSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' }).stdout.trim();
  // The module cache escapes capital letters as '!' and the lower-case letter.
  const cached = join(cache, moduleAtVersion.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`));
  if (existsSync(cached)) return cached;
  const r = spawnSync(go, ['mod', 'download', '-json', moduleAtVersion], {
    encoding: 'utf8',
    env: { GOTOOLCHAIN: 'auto', ...process.env, GOFLAGS: '-mod=mod' },
  });
  let info: { Dir?: string; Error?: string };
  try {
    info = JSON.parse(r.stdout);
  } catch {
    info = { Error: r.stderr.trim() };
  }
  if (r.status !== 0 || !info.Dir) throw new Error(`go mod download ${moduleAtVersion}: ${info.Error ?? r.stderr.trim()}`);
  return info.Dir;
}

