import { dirname, join } from 'node:path';
import { ConfigError, formatZodIssues } from '../lib/errors';
import { loadClusterFacts } from './cluster-facts';
import dev from './dev';
import prod from './prod';
import { loadReleases, parseReleases, Releases, RELEASES_DIR } from './releases';
import { Environment, EnvironmentInput, environmentSchema } from './schema';
import staging from './staging';

/** Every environment, in promotion order. */
export const ENVIRONMENTS: readonly EnvironmentInput[] = [dev, staging, prod];

export interface LoadOptions {
  /** Where `releases/<env>.json` lives. @default releases/ beside the facts' environments/ folder */
  readonly releasesDir?: string;
  /** Release data to use instead of the file (what `npm run release` checks before it writes). @default the file */
  readonly releases?: Releases;
}

/**
 * Validates an environment and loads its cluster facts and releases.
 * @param factsDir where the `terraform output -json` files live @default environments/ below the working directory
 */
export function loadEnvironment(input: EnvironmentInput, factsDir: string = join(process.cwd(), 'environments'), options: LoadOptions = {}): Environment {
  const label = typeof input?.name === 'string' ? input.name : '(unnamed)';
  const parsed = environmentSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(`environment ${label}: environments/${label}.ts is invalid:\n${formatZodIssues(parsed.error)}`);
  }
  const cluster = loadClusterFacts(parsed.data.name, join(factsDir, parsed.data.clusterFactsFile));
  const releases = options.releases !== undefined
    ? parseReleases(parsed.data.name, options.releases)
    : loadReleases(parsed.data.name, options.releasesDir ?? join(dirname(factsDir), RELEASES_DIR));
  return { ...parsed.data, cluster, releases };
}
