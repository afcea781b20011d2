import { ENVIRONMENTS, loadEnvironment } from '../../environments';
import { loadReleases, Releases } from '../../environments/releases';
import { EnvironmentInput, reviewEnvironmentsSchema, ReviewEnvironments } from '../../environments/schema';
import { ConfigError } from '../errors';
import type { ImagePolicy } from '../image';
import type { PlatformDefinition } from '../platform';
import { checkPolicies, formatViolations } from '../policy/gate';
import { renderEnvironment } from '../render/build';
import type { RenderedFile } from '../kube-object';

/**
 * A review environment, `review-<n>`: derived from the environment whose cluster hosts review environments
 * (the one that sets `reviewEnvironments`, dev): its cluster, settings and releases as the pull request has them,
 * only the platforms that asked for it, each in a namespace of its own (`review-<n>-<platform>`), one replica per
 * service, hostnames of its own (`shop-review-<n>.<domain>`) that external-dns publishes only if configured, and
 * data stores whose volumes are deleted with them. No cluster-wide objects and no Argo CD objects: the base
 * environment's ApplicationSet deploys it.
 */

export const REVIEW_NAME = /^review-(\d+)$/;

/** The environment that hosts review environments, and its settings for them. */
export function reviewHost(inputs: readonly EnvironmentInput[] = ENVIRONMENTS): { base: EnvironmentInput; settings: ReviewEnvironments } {
  const hosts = inputs.filter((e) => e.reviewEnvironments !== undefined);
  if (hosts.length !== 1) {
    throw new ConfigError(
      `review environments need exactly one environment with reviewEnvironments set, found ${hosts.length === 0 ? 'none' : hosts.map((h) => h.name).join(', ')}`,
    );
  }
  return { base: hosts[0], settings: reviewEnvironmentsSchema.parse(hosts[0].reviewEnvironments) };
}

/** Checks the platforms a base environment lists for review environments against the model. */
export function reviewPlatforms(base: EnvironmentInput, settings: ReviewEnvironments, platforms: readonly PlatformDefinition[]): PlatformDefinition[] {
  return settings.platforms.map((name) => {
    const platform = platforms.find((p) => p.name === name);
    if (!platform) {
      throw new ConfigError({ environment: base.name, field: 'reviewEnvironments.platforms' }, `'${name}' is not a platform (platforms: ${platforms.map((p) => p.name).join(', ')}) — see environments/${base.name}.ts`);
    }
    if (base.platforms?.[name]?.enabled === false) {
      throw new ConfigError({ environment: base.name, field: 'reviewEnvironments.platforms' }, `'${name}' is disabled in ${base.name}, so it has nothing to review — see environments/${base.name}.ts`);
    }
    return platform;
  });
}

/** The input of `review-<n>`, derived from its base environment. */
export function reviewEnvironmentInput(base: EnvironmentInput, settings: ReviewEnvironments, number: number, platforms: readonly PlatformDefinition[]): EnvironmentInput {
  if (!Number.isInteger(number) || number < 1) throw new ConfigError(`--pr '${number}': must be a pull request number (an integer ≥ 1)`);
  const chosen = new Set(reviewPlatforms(base, settings, platforms).map((p) => p.name));
  const { reviewEnvironments: _hosts, ...rest } = structuredClone(base);
  return {
    ...rest,
    name: `review-${number}`,
    gitops: { ...base.gitops, targetRevision: `${settings.branchPrefix}${number}` },
    review: { base: base.name, number, namespacePrefix: `review-${number}-`, hostnameSuffix: `-review-${number}`, publishDns: settings.publishDns },
    platforms: Object.fromEntries(platforms.map((p) => [p.name, chosen.has(p.name) ? { ...(base.platforms?.[p.name] ?? {}), enabled: true } : { enabled: false }])),
  };
}

export interface ReviewRender {
  readonly name: string;
  readonly files: readonly RenderedFile[];
}

/**
 * Renders `review-<n>` in memory and runs the policy gate on it; throws a ConfigError on bad input or a
 * violation. The releases are the base environment's, as the pull request's checkout has them.
 */
export function renderReview(number: number, platforms: readonly PlatformDefinition[], inputs: readonly EnvironmentInput[] = ENVIRONMENTS): ReviewRender {
  const { base, settings } = reviewHost(inputs);
  const input = reviewEnvironmentInput(base, settings, number, platforms);
  const chosen = reviewPlatforms(base, settings, platforms);
  const baseReleases = loadReleases(base.name);
  const releases: Releases = Object.fromEntries(Object.entries(baseReleases).filter(([platform]) => chosen.some((p) => p.name === platform)));
  const env = loadEnvironment(input, undefined, undefined, { releases });
  const files = renderEnvironment(env, platforms);
  const policy = checkPolicies(files, new Map<string, ImagePolicy>([[env.name, env.imagePolicy]]));
  if (policy.violations.length > 0) {
    throw new ConfigError(`${policy.violations.length} policy violation(s) in ${env.name}:\n${formatViolations(policy)}`);
  }
  return { name: env.name, files };
}
