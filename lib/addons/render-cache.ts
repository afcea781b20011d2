import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeObject } from '../kube-object';

/**
 * Committed cache of `helm template` output, so `npm run synth` runs Helm only when a chart or its values
 * changed. One entry per environment and release, named by the key it was rendered for; the entry is the
 * chart's objects as JSON (gzip: the cache is for the machine, `dist/` is for review).
 */
export const RENDER_CACHE_DIR = 'addons/render-cache';

/** Everything a render depends on. Two equal inputs give the same `helm template` output. */
export interface RenderKeyInput {
  readonly chart: string;
  readonly version: string;
  readonly sha256: string;
  readonly helm: string;
  readonly release: string;
  readonly namespace: string;
  readonly kubeVersion: string;
  readonly apiVersions: readonly string[];
  readonly includeCrds: boolean;
  readonly values: unknown;
}

/** JSON with object keys sorted at every level: the same values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The cache key: the chart digest plus a hash of the values and render options. */
export function renderKey(input: RenderKeyInput): string {
  const { values, ...options } = input;
  return sha256(`${input.sha256}\n${sha256(canonicalJson(values))}\n${canonicalJson(options)}`).slice(0, 20);
}

/**
 * Parsed entries by the SHA-256 of their bytes. The CRD releases and most add-ons render alike in every
 * environment, and unpacking the large CRD entries is a good part of a synth; each is unpacked once.
 */
const parsedEntries = new Map<string, readonly KubeObject[]>();

/** Shared between environments, so nothing may change them (a change throws). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class RenderCache {
  constructor(private readonly root: string = process.cwd()) {}

  private dir(env: string): string {
    return join(this.root, RENDER_CACHE_DIR, env);
  }

  public path(env: string, release: string, key: string): string {
    return join(this.dir(env), `${release}.${key}.json.gz`);
  }

  /** The cached objects, frozen: environments whose entries hold the same bytes share one parse. */
  public read(env: string, release: string, key: string): readonly KubeObject[] | undefined {
    const file = this.path(env, release, key);
    if (!existsSync(file)) return undefined;
    const bytes = readFileSync(file);
    const digest = createHash('sha256').update(bytes).digest('hex');
    let objects = parsedEntries.get(digest);
    if (objects === undefined) {
      objects = deepFreeze(JSON.parse(gunzipSync(bytes).toString('utf8')) as KubeObject[]);
      parsedEntries.set(digest, objects);
    }
    return objects;
  }

  public write(env: string, release: string, key: string, objects: readonly KubeObject[]): void {
    const file = this.path(env, release, key);
    mkdirSync(this.dir(env), { recursive: true });
    // Keys sorted, as the render wants them (a read entry needs no sorted copy); level 9, no name or time in the
    // header: the same objects give the same bytes.
    writeFileSync(`${file}.tmp`, gzipSync(canonicalJson(objects), { level: 9 }));
    renameSync(`${file}.tmp`, file);
  }

  /** Removes the environment's entries that are not among `keep` (file names). */
  public prune(env: string, keep: ReadonlySet<string>): void {
    const dir = this.dir(env);
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) if (!keep.has(f)) rmSync(join(dir, f), { force: true });
  }
}
