import { basename, join, relative } from 'node:path';
import { ConfigError, formatZodIssues } from '../lib/errors';
import { loadClusterFacts } from './cluster-facts';
import dev from './dev';
import prod from './prod';
import { loadReleases, parseReleases, Releases, RELEASES_DIR } from './releases';
import { Environment, EnvironmentInput, environmentSchema } from './schema';
import staging from './staging';

/** An environment's input and the file that defines it. */
export interface EnvironmentSource {
  /** Relative to the repository root, e.g. `environments/dev.ts`. */
  readonly file: string;
  readonly input: EnvironmentInput;
}

/** Every environment with its file, in promotion order. */
export const ENVIRONMENT_SOURCES: readonly EnvironmentSource[] = [
  { file: 'environments/dev.ts', input: dev },
  { file: 'environments/staging.ts', input: staging },
  { file: 'environments/prod.ts', input: prod },
];

/** Every environment, in promotion order. */
export const ENVIRONMENTS: readonly EnvironmentInput[] = ENVIRONMENT_SOURCES.map((s) => s.input);

export interface LoadOptions {
  /** Where `releases/<env>.json` lives. @default releases/ below the working directory (the repository root) */
  readonly releasesDir?: string;
  /** Release data to use instead of the file (what `npm run release` checks before it writes). @default the file */
  readonly releases?: Releases;
}

/**
 * Validates an environment and loads its cluster facts and releases (`releases/<env>.json`). The name, the file and the facts must agree: a
 * `name` copied from another file would render over that environment's folder, and another environment's
 * facts would point this one at a foreign cluster, account and DNS zone.
 * @param factsDir where the `terraform output -json` files live @default environments/ below the working directory
 * @param file the file that defines the environment @default environments/<name>.ts
 */
export function loadEnvironment(
  input: EnvironmentInput,
  factsDir: string = join(process.cwd(), 'environments'),
  file?: string,
  options: LoadOptions = {},
): Environment {
  const label = typeof input?.name === 'string' ? input.name : '(unnamed)';
  const source = file ?? `environments/${label}.ts`;
  const parsed = environmentSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(`environment ${label}: ${source} is invalid:\n${formatZodIssues(parsed.error)}`);
  }
  const env = parsed.data;
  const expectedName = basename(source).replace(/\.ts$/, '');
  if (file !== undefined && env.name !== expectedName) {
    throw new ConfigError(
      `environment ${env.name}: ${source} sets name: '${env.name}', but the file is ${expectedName}'s; ` +
        `the name decides which folders of dist/ and argocd/ it renders into, so it must be '${expectedName}' (or rename the file)`,
    );
  }
  const factsPath = join(factsDir, env.clusterFactsFile);
  const factsSource = relative(process.cwd(), factsPath).startsWith('..') ? factsPath : relative(process.cwd(), factsPath);
  const cluster = loadClusterFacts(env.name, factsPath, factsSource);
  // A review environment runs in its base environment's cluster, so it reads that environment's facts.
  if (cluster.environment !== (env.review?.base ?? env.name)) {
    throw new ConfigError(
      `environment ${env.name}: ${source} sets clusterFactsFile: '${env.clusterFactsFile}', but ${factsSource} are the facts of environment ` +
        `'${cluster.environment}' (their environment output); point clusterFactsFile at the facts of ${env.name}'s own cluster`,
    );
  }
  if (cluster.account_id !== env.awsAccountId) {
    throw new ConfigError(
      `environment ${env.name}: ${source} sets awsAccountId: '${env.awsAccountId}', but ${factsSource} are for account ${cluster.account_id}; ` +
        'the facts and the environment must name the same AWS account',
    );
  }
  const missing = (['backup_bucket', 'backup_role_arn'] as const).filter((field) => cluster[field] === undefined);
  if (env.backups && missing.length > 0) {
    throw new ConfigError(
      `environment ${env.name}: backups are set in ${source}, but the cluster facts ${factsSource} ` +
        `have no ${missing.join(' and ')}: add the output(s) to the cluster's Terraform, or remove backups`,
    );
  }
  const releases = options.releases !== undefined
    ? parseReleases(env.name, options.releases)
    : loadReleases(env.name, options.releasesDir ?? join(process.cwd(), RELEASES_DIR));
  return { ...env, cluster, releases };
}

/**
 * Checks that environments stay apart: one name each, and no EKS cluster or DNS domain shared by two unless
 * one of them says so in `sharesWith` (two environments on one cluster would overwrite each other's
 * objects, on one domain each other's DNS records).
 */
export function checkEnvironmentsApart(envs: readonly { readonly env: Environment; readonly file: string }[]): void {
  const byName = new Map<string, string>();
  for (const { env, file } of envs) {
    const other = byName.get(env.name);
    if (other !== undefined) {
      throw new ConfigError(`environment ${env.name}: ${file} and ${other} both set name: '${env.name}'; each environment needs its own name`);
    }
    byName.set(env.name, file);
  }
  const optedIn = (a: Environment, b: Environment, what: 'cluster' | 'domains') =>
    (a.sharesWith[what] ?? []).includes(b.name) || (b.sharesWith[what] ?? []).includes(a.name);
  for (let i = 0; i < envs.length; i++) {
    for (let j = i + 1; j < envs.length; j++) {
      const [a, b] = [envs[i], envs[j]];
      const clusterOf = (e: Environment) => `${e.cluster.account_id}/${e.cluster.region}/${e.cluster.cluster_name}`;
      if ((clusterOf(a.env) === clusterOf(b.env) || a.env.cluster.cluster_endpoint === b.env.cluster.cluster_endpoint) && !optedIn(a.env, b.env, 'cluster')) {
        throw new ConfigError(
          `environment ${b.env.name}: ${b.file} and ${a.file} deploy to the same EKS cluster ${b.env.cluster.cluster_name} ` +
            `(account ${b.env.cluster.account_id}, ${b.env.cluster.region}); give each environment its own cluster facts, ` +
            `or set sharesWith: { cluster: ['${a.env.name}'] } in ${b.file} if sharing is intended`,
        );
      }
      const domainsOf = (e: Environment) => [e.cluster.public_domain, e.cluster.private_domain];
      const shared = domainsOf(a.env).filter((d) => domainsOf(b.env).includes(d));
      if (shared.length > 0 && !optedIn(a.env, b.env, 'domains')) {
        throw new ConfigError(
          `environment ${b.env.name}: ${b.file} and ${a.file} use the same DNS domain ${shared.join(', ')}; their external-dns ` +
            `instances would overwrite each other's records. Give each environment its own domains, or set sharesWith: { domains: ['${a.env.name}'] } in ${b.file} if sharing is intended`,
        );
      }
    }
  }
}
