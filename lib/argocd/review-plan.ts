import type { Environment } from '../../environments/schema';
import { ConfigError } from '../errors';
import type { PlatformDefinition } from '../platform';
import type { FolderSummary, GroupKind, ProjectPlan } from './gitops-plan';
import { notificationChannel, notificationSubscriptions } from './notifications';
import type { ReviewApplicationSetProps } from './review-application-set';

/** Name of the review environments' ApplicationSet and AppProject. */
export const REVIEW_PROJECT = 'review';
export const REVIEW_APPLICATION_SET = 'review-environments';

export interface ReviewPlan {
  readonly project: ProjectPlan;
  readonly applicationSet: Omit<ReviewApplicationSetProps, 'env' | 'argocdNamespace' | 'server'>;
}

const union = (lists: readonly (readonly GroupKind[])[]) =>
  [...new Map(lists.flat().map((k) => [`${k.group}/${k.kind}`, k])).values()].sort((a, b) => (`${a.group}/${a.kind}` < `${b.group}/${b.kind}` ? -1 : 1));

/** `https://github.com/acme/platform-manifests.git` → acme, platform-manifests. */
function githubRepository(env: Environment): { owner: string; repo: string } {
  const match = /^https:\/\/github\.com\/([^/]+)\/([^/]+?)(\.git)?$/.exec(env.gitops.repoURL);
  if (!match) {
    throw new ConfigError(`environment ${env.name}: reviewEnvironments needs gitops.repoURL on GitHub (https://github.com/<owner>/<repo>), got ${env.gitops.repoURL}: the pull-request generator asks GitHub`);
  }
  return { owner: match[1], repo: match[2] };
}

/**
 * The Argo CD side of the review environments an environment hosts: an AppProject that admits exactly the
 * namespaces (`review-*-<platform>`) and kinds its platforms render here, and the ApplicationSet.
 */
export function planReviewEnvironments(env: Environment, folders: ReadonlyMap<string, FolderSummary>, platforms: readonly PlatformDefinition[]): ReviewPlan | undefined {
  const settings = env.reviewEnvironments;
  if (!settings) return undefined;
  const summaries = settings.platforms.map((name) => {
    const summary = folders.get(name);
    if (!platforms.some((p) => p.name === name) || !summary) {
      throw new ConfigError({ environment: env.name, field: 'reviewEnvironments.platforms' }, `'${name}' is not a platform rendered in ${env.name} (platforms: ${platforms.filter((p) => folders.has(p.name)).map((p) => p.name).join(', ')})`);
    }
    return summary;
  });
  return {
    project: {
      name: REVIEW_PROJECT,
      description: `Review environments of pull requests in ${env.name}'s cluster: ${settings.platforms.join(', ')}`,
      sourceRepos: [env.gitops.repoURL],
      destinationNamespaces: settings.platforms.map((p) => `review-*-${p}`).sort(),
      clusterKinds: union(summaries.map((s) => s.clusterKinds)),
      namespacedKinds: union(summaries.map((s) => s.namespacedKinds)),
    },
    applicationSet: {
      repoURL: env.gitops.repoURL,
      github: githubRepository(env),
      tokenRef: { secretName: settings.githubTokenSecret, key: 'token' },
      label: settings.label,
      branch: `${settings.branchPrefix}{{.number}}`,
      platforms: settings.platforms.map((platform) => ({ platform, channel: notificationChannel(env, platform) })),
      namespace: 'review-{{.number}}-{{.platform}}',
      project: REVIEW_PROJECT,
      requeueAfterSeconds: settings.requeueAfterSeconds,
      // The platform's own channel, as in its environment (each list element carries it).
      annotations: Object.fromEntries(Object.keys(notificationSubscriptions(env, settings.platforms[0])).map((key) => [key, '{{.channel}}'])),
      wave: 0,
    },
  };
}
