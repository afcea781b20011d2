import {
  describeRelease, Release, RELEASE_DIGEST, releaseDigestSchema, releaseFileName, Releases, releaseTagSchema, sameRelease,
} from '../../environments/releases';
import type { ImagePolicy } from '../image';
import { ConfigError } from '../errors';

/**
 * The pure half of `npm run release`: what a `set` or a `promote` changes in the release data, and the
 * status table. Files, rendering and printing are the caller's.
 */

/** `sales-order/order-service`, as the commands name a service. */
export interface ServiceRef {
  readonly platform: string;
  readonly service: string;
}

/** One service's version moving in one environment. */
export interface ReleaseChange extends ServiceRef {
  readonly before?: Release;
  readonly after: Release;
}

/** The environment a change goes into, as far as the rules care. */
export interface TargetEnvironment {
  readonly name: string;
  /** `immutable` (prod): every new release carries its digest, so what runs is exactly what was tested. */
  readonly imagePolicy: ImagePolicy;
}

export function formatServiceRef(ref: ServiceRef): string {
  return `${ref.platform}/${ref.service}`;
}

/** Parses `--service sales-order/order-service`. */
export function parseServiceRef(text: string): ServiceRef {
  const match = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)\/([a-z0-9]([a-z0-9-]*[a-z0-9])?)$/.exec(text);
  if (!match) {
    throw new ConfigError(`--service '${text}': must be <platform>/<service> in lower case, e.g. sales-order/order-service`);
  }
  return { platform: match[1], service: match[3] };
}

/** Validates `--tag` and `--digest` as the release file would. */
export function parseRelease(tag: string, digest: string | undefined): Release {
  const t = releaseTagSchema.safeParse(tag);
  if (!t.success) throw new ConfigError(`--tag '${tag}': ${t.error.issues[0].message}`);
  if (digest !== undefined) {
    const d = releaseDigestSchema.safeParse(digest);
    if (!d.success) throw new ConfigError(`--digest '${digest}': ${d.error.issues[0].message}`);
  }
  return digest === undefined ? { tag } : { tag, digest };
}

function requireDigest(target: TargetEnvironment, ref: ServiceRef, release: Release, source: string): void {
  if (target.imagePolicy === 'immutable' && (release.digest === undefined || !RELEASE_DIGEST.test(release.digest))) {
    throw new ConfigError(
      `${formatServiceRef(ref)} ${describeRelease(release)}: environment ${target.name} runs immutable images only, so a release ` +
        `into it needs the image's digest; ${source}`,
    );
  }
}

function withRelease(releases: Releases, change: ReleaseChange): Releases {
  return { ...releases, [change.platform]: { ...(releases[change.platform] ?? {}), [change.service]: change.after } };
}

/** `release set`: one service's new version. Returns no change when it already runs exactly that. */
export function planSet(releases: Releases, target: TargetEnvironment, ref: ServiceRef, release: Release): { releases: Releases; changes: ReleaseChange[] } {
  requireDigest(target, ref, release, 'pass --digest sha256:… (the digest the pipeline pushed)');
  const before = releases[ref.platform]?.[ref.service];
  if (sameRelease(before, release)) return { releases, changes: [] };
  const change = { ...ref, before, after: release };
  return { releases: withRelease(releases, change), changes: [change] };
}

/**
 * `release promote`: copies the source's release of each chosen service (every service the source records,
 * by default) into the target, tag and digest exactly as they are. Refuses, naming every offender, when a
 * release that would change the target lacks the digest the target demands.
 */
export function planPromotion(
  source: { readonly name: string; readonly releases: Releases },
  target: TargetEnvironment & { readonly releases: Releases },
  only?: readonly ServiceRef[],
): { releases: Releases; changes: ReleaseChange[] } {
  const recorded = Object.keys(source.releases).sort().flatMap((platform) => Object.keys(source.releases[platform]).sort().map((service) => ({ platform, service })));
  for (const ref of only ?? []) {
    if (!source.releases[ref.platform]?.[ref.service]) {
      throw new ConfigError(
        `--service ${formatServiceRef(ref)}: ${releaseFileName(source.name)} has no release of it ` +
          `(it records: ${recorded.map(formatServiceRef).join(', ') || 'nothing'})`,
      );
    }
  }
  const chosen = only ? recorded.filter((r) => only.some((o) => o.platform === r.platform && o.service === r.service)) : recorded;
  const changes: ReleaseChange[] = [];
  const refused: string[] = [];
  for (const ref of chosen) {
    const after = source.releases[ref.platform][ref.service];
    const before = target.releases[ref.platform]?.[ref.service];
    if (sameRelease(before, after)) continue;
    try {
      requireDigest(target, ref, after, `record the digest in ${source.name} first (npm run release -- set --env ${source.name} --service ${formatServiceRef(ref)} --tag ${after.tag} --digest sha256:…)`);
    } catch (e) {
      refused.push(`  - ${(e as Error).message}`);
      continue;
    }
    changes.push({ ...ref, before, after });
  }
  if (refused.length > 0) {
    throw new ConfigError(`cannot promote ${source.name} → ${target.name}: ${refused.length} release(s) lack a digest:\n${refused.join('\n')}`);
  }
  return { releases: changes.reduce(withRelease, target.releases), changes };
}

export function describeChange(change: ReleaseChange): string {
  return `${formatServiceRef(change)}: ${change.before ? describeRelease(change.before, true) : '(new)'} → ${describeRelease(change.after, true)}`;
}

/** One row of `release status`. */
export interface StatusRow extends ServiceRef {
  /** Environment name → its release (absent where it records none). */
  readonly releases: Readonly<Record<string, Release | undefined>>;
  /** Not every environment runs the same tag and digest. */
  readonly differs: boolean;
}

/** Every service any environment records, sorted, with its release per environment in promotion order. */
export function releaseStatus(environments: readonly { readonly name: string; readonly releases: Releases }[]): StatusRow[] {
  const refs = new Map<string, ServiceRef>();
  for (const env of environments) {
    for (const platform of Object.keys(env.releases)) {
      for (const service of Object.keys(env.releases[platform])) refs.set(`${platform}/${service}`, { platform, service });
    }
  }
  return [...refs.keys()].sort().map((key) => {
    const ref = refs.get(key)!;
    const releases = Object.fromEntries(environments.map((e) => [e.name, e.releases[ref.platform]?.[ref.service]]));
    const values = Object.values(releases);
    return { ...ref, releases, differs: values.some((r) => !sameRelease(r, values[0])) };
  });
}

/** The status as an aligned text table, `←` marking the services whose environments differ. */
export function formatStatus(environments: readonly string[], rows: readonly StatusRow[]): string {
  const header = ['service', ...environments];
  const table = rows.map((r) => [formatServiceRef(r), ...environments.map((e) => describeRelease(r.releases[e]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: readonly string[], mark = '') => `${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}  ${mark}`.trimEnd();
  const differing = rows.filter((r) => r.differs);
  return [
    line(header),
    ...table.map((cells, i) => line(cells, rows[i].differs ? '← differs' : '')),
    '',
    differing.length === 0
      ? `all ${rows.length} services run the same release in ${environments.join(', ')}`
      : `${differing.length} of ${rows.length} services differ: ${differing.map(formatServiceRef).join(', ')}`,
  ].join('\n');
}
