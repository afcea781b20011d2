import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, formatZodIssues } from '../lib/errors';

/**
 * What runs where: per environment, `releases/<env>.json` records the image tag (and digest) of every service,
 * keyed by platform and service. App pipelines change it with `npm run release -- set`, promotion copies
 * entries from one file to the next; charts keep the image repository and everything else.
 */

/** Docker's tag grammar; `latest` names whatever was pushed last, so it never records a release. */
export const RELEASE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const RELEASE_DIGEST = /^sha256:[a-f0-9]{64}$/;

export const releaseTagSchema = z
  .string()
  .regex(RELEASE_TAG, 'must be an image tag: letters, digits, _ . - (at most 128, not starting with . or -)')
  .refine((t) => t !== 'latest', "must name one build: 'latest' moves with every push");
export const releaseDigestSchema = z.string().regex(RELEASE_DIGEST, 'must be sha256:<64 lower-case hex digits>');

/** The version of one service in one environment. */
export const releaseSchema = z.strictObject({
  /** The tag the app pipeline built, e.g. `2.0.5` or `main-3f2a1c9`. */
  tag: releaseTagSchema,
  /** The image's content digest; with it, the render pins `repository:tag@digest`. */
  digest: releaseDigestSchema.optional(),
});

/** `releases/<env>.json`: platform → service → release. */
export const releaseFileSchema = z.record(z.string(), z.record(z.string(), releaseSchema));

export type Release = z.output<typeof releaseSchema>;
export type Releases = z.output<typeof releaseFileSchema>;

/** Where the release files live, relative to the repository root. */
export const RELEASES_DIR = 'releases';

/** `releases/dev.json`: how messages name an environment's file. */
export function releaseFileName(environment: string): string {
  return `${RELEASES_DIR}/${environment}.json`;
}

/** Validates the parsed contents of an environment's release file. */
export function parseReleases(environment: string, json: unknown): Releases {
  const parsed = releaseFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`environment ${environment}: ${releaseFileName(environment)} is invalid:\n${formatZodIssues(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Reads and validates `releases/<env>.json`.
 * @param dir the folder of the release files @default releases/ below the working directory
 */
export function loadReleases(environment: string, dir: string = join(process.cwd(), RELEASES_DIR)): Releases {
  const file = join(dir, `${environment}.json`);
  if (!existsSync(file)) {
    throw new ConfigError(
      `environment ${environment}: ${releaseFileName(environment)} does not exist; it records the image tag of every ` +
        `service (create it with {} and add services with npm run release -- set, see docs/releases.md)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`environment ${environment}: ${releaseFileName(environment)} is not JSON: ${(e as Error).message}`);
  }
  return parseReleases(environment, json);
}

/** The file's canonical text: keys sorted, two-space indent, a final newline; what `release` writes. */
export function formatReleases(releases: Releases): string {
  const sorted = Object.fromEntries(
    Object.keys(releases).sort().map((platform) => [
      platform,
      Object.fromEntries(Object.keys(releases[platform]).sort().map((service) => {
        const r = releases[platform][service];
        return [service, r.digest === undefined ? { tag: r.tag } : { tag: r.tag, digest: r.digest }];
      })),
    ]),
  );
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** Writes a release file whole: a temporary file beside it, then a rename, so a reader never sees half of it. */
export function writeReleases(environment: string, releases: Releases, dir: string = join(process.cwd(), RELEASES_DIR)): void {
  const file = join(dir, `${environment}.json`);
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, formatReleases(releases));
  renameSync(temporary, file);
}

/** `2.0.5` or `2.0.5@sha256:0123456789ab…`: a release as people read it. */
export function describeRelease(release: Release | undefined, full = false): string {
  if (!release) return '—';
  if (!release.digest) return release.tag;
  return `${release.tag}@${full ? release.digest : `${release.digest.slice(0, 19)}…`}`;
}

export function sameRelease(a: Release | undefined, b: Release | undefined): boolean {
  return a?.tag === b?.tag && a?.digest === b?.digest;
}
