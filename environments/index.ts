import { join } from 'node:path';
import { ConfigError, formatZodIssues } from '../lib/errors';
import { loadClusterFacts } from './cluster-facts';
import dev from './dev';
import prod from './prod';
import { Environment, EnvironmentInput, environmentSchema } from './schema';
import staging from './staging';

/** Every environment, in promotion order. */
export const ENVIRONMENTS: readonly EnvironmentInput[] = [dev, staging, prod];

/**
 * Validates an environment and loads its cluster facts.
 * @param factsDir where the `terraform output -json` files live @default environments/ below the working directory
 */
export function loadEnvironment(input: EnvironmentInput, factsDir: string = join(process.cwd(), 'environments')): Environment {
  const label = typeof input?.name === 'string' ? input.name : '(unnamed)';
  const parsed = environmentSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(`environment ${label}: environments/${label}.ts is invalid:\n${formatZodIssues(parsed.error)}`);
  }
  const cluster = loadClusterFacts(parsed.data.name, join(factsDir, parsed.data.clusterFactsFile));
  return { ...parsed.data, cluster };
}
