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
  const missing = (['backup_bucket', 'backup_role_arn'] as const).filter((field) => cluster[field] === undefined);
  if (parsed.data.backups && missing.length > 0) {
    throw new ConfigError(
      `environment ${label}: backups are set in environments/${label}.ts, but the cluster facts environments/${parsed.data.clusterFactsFile} ` +
        `have no ${missing.join(' and ')}: add the output(s) to the cluster's Terraform, or remove backups`,
    );
  }
  return { ...parsed.data, cluster };
}
