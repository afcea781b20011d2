import { z } from 'zod';
import { isCronSchedule } from '../lib/backup-schedule';
import { bytes, cpu, envName, gitRepoUrl, hostname, memory, plainConfig, resourcesSchema, storage, strictObject } from '../lib/validation';
import type { ClusterFacts } from './cluster-facts';
import type { Releases } from './releases';

/**
 * What an environment may set. Everything that differs between dev, staging and prod is a field here;
 * charts read fields and never test an environment's name.
 */

export { resourcesSchema };

export const imageOverrideSchema = strictObject({
  tag: z.string().min(1).optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex digits>').optional(),
}).refine((i) => i.tag !== undefined || i.digest !== undefined, 'set a tag, a digest or both');

const replicaCount = z.number().int('must be a whole number').min(1, 'must be ≥ 1');
const utilizationPercentage = z.number().int('must be a whole number').min(1, 'must be a percentage 1–100').max(100, 'must be a percentage 1–100');

export const autoscalingSchema = strictObject({
  minReplicas: replicaCount,
  maxReplicas: replicaCount,
  targetCPUUtilizationPercentage: utilizationPercentage.optional(),
  targetMemoryUtilizationPercentage: utilizationPercentage.optional(),
})
  .refine((a) => a.maxReplicas >= a.minReplicas, { message: 'must be ≥ minReplicas', path: ['maxReplicas'] })
  .refine((a) => a.targetCPUUtilizationPercentage !== undefined || a.targetMemoryUtilizationPercentage !== undefined, {
    message: 'needs a target: targetCPUUtilizationPercentage, targetMemoryUtilizationPercentage or both',
  });

/** Exactly one of the given keys is set: the shapes of `scaling` exclude each other. */
function exactlyOne<T extends Record<string, unknown>>(keys: readonly (keyof T & string)[]) {
  return (value: T, ctx: z.RefinementCtx) => {
    const set = keys.filter((k) => value[k] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `set exactly one of ${keys.join(', ')}${set.length > 1 ? ` (got ${set.join(' and ')})` : ' (got none)'}`,
      });
    }
  };
}

/**
 * How a service runs, as its chart declares it: exactly one of
 * - `{ fixed: n }`: exactly n copies by design (state in memory); environments cannot change it, no HPA or
 *   PDB, updates recreate the pod;
 * - `{ replicas: n }`: n copies, no HPA;
 * - `{ autoscaling: { minReplicas, maxReplicas, target... } }`: an HPA owns the count.
 */
export const scalingSchema = strictObject({ fixed: replicaCount, replicas: replicaCount, autoscaling: autoscalingSchema })
  .partial()
  .superRefine(exactlyOne(['fixed', 'replicas', 'autoscaling']));

/** An environment's replacement for a chart's scaling: a fixed count without HPA, or other HPA bounds. */
export const scalingOverrideSchema = strictObject({ replicas: replicaCount, autoscaling: autoscalingSchema })
  .partial()
  .superRefine(exactlyOne(['replicas', 'autoscaling']));

export const serviceOverrideSchema = strictObject({
  /** Replaces the chart's scaling: `{ replicas: 1 }` (no HPA) or `{ autoscaling: {...} }`. */
  scaling: scalingOverrideSchema,
  resources: resourcesSchema,
  // No image: a service's version is release data (releases/<env>.json), one place that records what runs where.
  /** Replaces the hostnames the chart derives from the environment's domains. */
  hostnames: z.array(hostname).min(1, 'needs at least one hostname (to remove the exposure, change the chart)'),
  /** Non-secret configuration added to (or replacing keys of) the chart's ConfigMap, e.g. `{ LOG_LEVEL: 'debug' }`. */
  config: plainConfig,
}, {
  replicas: 'scaling: { replicas: <n> }',
  autoscaling: 'scaling: { autoscaling: { minReplicas, maxReplicas, targetCPUUtilizationPercentage } } (or scaling: { replicas: <n> } for no HPA)',
  image: 'the release in releases/<env>.json (npm run release -- set, see docs/releases.md)',
}).partial();

/** When the data stores are dumped to the cluster's backup bucket, and for how long dumps are kept. */
export const backupSettingsSchema = strictObject({
  /** Five-field cron expression in UTC, e.g. `17 0,6,12,18 * * *`; the backup-age alert follows its longest gap. */
  schedule: z.string().refine(isCronSchedule, 'must be a five-field cron expression (minute hour day-of-month month day-of-week) that runs at least twice in 64 days, e.g. "17 */6 * * *"'),
  /** Days a dump is kept in S3 before the backup job deletes it. */
  retentionDays: z.number().int().min(1, 'must be ≥ 1 day').max(3650, 'must be at most 3650 days'),
});

export const dataStoreOverrideSchema = strictObject({
  replicas: replicaCount,
  resources: resourcesSchema,
  image: imageOverrideSchema,
  storage,
  /**
   * Do not self-host this data store here: use the database the cluster facts list under this key of
   * `database_endpoints` (e.g. Amazon RDS), reached through an ExternalName Service of the same name, so
   * clients are configured alike either way. Only data stores whose chart offers the choice accept it.
   */
  external: z.string().min(1),
  /** `false`: no backups of this store here (its data is not worth keeping); an object replaces fields of the environment's `backups`. */
  backup: z.union([z.literal(false), backupSettingsSchema.partial()]),
}).partial().refine(
  (d) => d.external === undefined || Object.keys(d).length === 1,
  { message: 'external excludes replicas, resources, image and storage: nothing is self-hosted', path: ['external'] },
);

export const quotaSchema = strictObject({
  requestsCpu: cpu,
  requestsMemory: memory,
  /**
   * Not accepted: a quota on `limits.cpu` makes every pod declare a CPU limit, and containers here run without
   * one on purpose. The quota bounds CPU by `requestsCpu`.
   */
  limitsCpu: z.never({ error: 'remove limitsCpu: containers run without CPU limits by design, so the quota bounds requestsCpu only (see docs/runtime.md)' }).optional(),
  limitsMemory: memory,
  pods: z.number().int().min(1),
  persistentVolumeClaims: z.number().int().min(0),
  requestsStorage: storage,
}).refine((q) => bytes(q.limitsMemory) >= bytes(q.requestsMemory), {
  message: 'must be ≥ requestsMemory: no pod could reach its memory requests within the quota of its limits',
  path: ['limitsMemory'],
});

export const platformSettingsSchema = strictObject({
  /** Render this platform in this environment. @default true */
  enabled: z.boolean().default(true),
  services: z.record(z.string(), serviceOverrideSchema).default({}),
  dataStores: z.record(z.string(), dataStoreOverrideSchema).default({}),
  /** Namespace ResourceQuota of this platform. @default the environment's namespaceQuota */
  quota: quotaSchema.optional(),
});

export const addonsSchema = strictObject({
  ingressNginx: z.boolean().default(true),
  awsLoadBalancerController: z.boolean().default(true),
  externalDns: z.boolean().default(true),
  metricsServer: z.boolean().default(true),
  karpenter: z.boolean().default(true),
  externalSecrets: z.boolean().default(true),
  kubePrometheusStack: z.boolean().default(true),
  fluentBit: z.boolean().default(true),
  /** Argo CD itself, self-managed from dist/<env>/argo-cd once bootstrapped. */
  argoCd: z.boolean().default(true),
});

/** Where Alertmanager sends alerts; the URL or key of each receiver is in the secret store, never here. */
export const alertReceiverSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), channel: z.string().regex(/^#[a-z0-9_-]{1,79}$/, 'must be a Slack channel such as #platform-alerts') }),
  z.strictObject({ type: z.literal('pagerduty') }),
  z.strictObject({ type: z.literal('webhook') }),
]);

export const alertingSchema = z.strictObject({
  /** Receiver of alerts labelled severity: critical. */
  critical: alertReceiverSchema,
  /** Receiver of every other platform and cluster alert. */
  warning: alertReceiverSchema,
  /**
   * Secret below `secretPathPrefix` whose properties `critical` and `warning` hold the receivers' webhook
   * URLs or PagerDuty routing keys. @default 'alertmanager/receivers'
   */
  secret: z.string().regex(/^[a-z0-9/_-]+$/).default('alertmanager/receivers'),
});

/** The Karpenter NodePool and EC2NodeClass the platforms' pods are scheduled on (rendered when addons.karpenter). */
export const nodePoolSchema = strictObject({
  /** EC2 purchase options Karpenter may launch. @default ['on-demand'] */
  capacityTypes: z.array(z.enum(['on-demand', 'spot'])).min(1).default(['on-demand']),
  /** Upper bound of the vCPUs of all nodes of the pool. @default '200' */
  cpuLimit: cpu.default('200'),
  /** Upper bound of the memory of all nodes of the pool. @default '800Gi' */
  memoryLimit: memory.default('800Gi'),
  /** EKS-optimised AMI, pinned to a release (never `@latest`): `al2023@vYYYYMMDD`. @default 'al2023@v20260501' */
  amiAlias: z.string().regex(/^(al2023@v\d{8}|bottlerocket@v\d+\.\d+\.\d+)$/, 'must be a pinned alias such as al2023@v20260501').default('al2023@v20260501'),
});

const slackChannel = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'must be a Slack channel name without #, e.g. sales-order-prod');

/** Where Argo CD reports failed syncs and degraded applications (lib/argocd/notifications.ts). */
export const notificationsSchema = strictObject({
  /** Channel of the platform team: the cluster's, the add-ons' and the root Application's. @default platform-<env> */
  defaultChannel: slackChannel.optional(),
  /** Channel per platform, its team's. @default <platform>-<env> */
  channels: z.record(z.string(), slackChannel).default({}),
  /** Argo CD's address, for the links in messages. @default https://argocd.<private domain of the cluster facts> */
  argocdUrl: z.url({ protocol: /^https$/ }).optional(),
});

/**
 * Review environments hosted by this environment's cluster: per labelled pull request, `review-<n>` renders
 * these platforms into namespaces of their own (`review-<n>-<platform>`), one replica per service, from the
 * branch `<branchPrefix><n>` that the pull-request workflow pushes (.github/workflows/review.yml).
 */
export const reviewEnvironmentsSchema = strictObject({
  /** Platforms whose design asks for a review environment. */
  platforms: z.array(z.string()).min(1),
  /** Publish review hostnames (`<subdomain>-review-<n>.<domain>`) with external-dns. @default false */
  publishDns: z.boolean().default(false),
  /** Pull requests with this label get an environment; the workflow sets it. @default review-environment */
  label: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).default('review-environment'),
  /** Branch of a pull request's rendered output, followed by its number. @default review/pr- */
  branchPrefix: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/).default('review/pr-'),
  /** Secret in Argo CD's namespace with the GitHub token (key `token`) that lists pull requests. @default github-token */
  githubTokenSecret: z.string().default('github-token'),
  /** How often Argo CD asks GitHub for open pull requests, in seconds. @default 180 */
  requeueAfterSeconds: z.number().int().min(30).default(180),
});

export const environmentSchema = strictObject({
  /** The environment's name, the name of its file (`environments/<name>.ts`) and of its folders in dist/ and argocd/. */
  name: envName,
  /** The AWS account the environment's cluster runs in; the cluster facts must be for this account. */
  awsAccountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  /** `terraform output -json` of the cluster, relative to `environments/`; its `environment` output must be this name. */
  clusterFactsFile: z.string().regex(/^[A-Za-z0-9._/-]+\.json$/, 'must be a .json file relative to environments/, such as clusters/dev.json'),
  /**
   * Other environments this one knowingly shares its EKS cluster or its DNS domains with. Without it, two
   * environments on one cluster (or one domain) are an error: their objects and DNS records would overwrite
   * each other's. @default shares nothing
   */
  sharesWith: strictObject({ cluster: z.array(envName), domains: z.array(envName) }).partial().default({}),
  /**
   * What image references this environment accepts. `pinned` refuses `latest` and untagged images;
   * `immutable` also demands a digest or a full semantic version (MAJOR.MINOR.PATCH), which ECR keeps
   * immutable.
   */
  imagePolicy: z.enum(['pinned', 'immutable']),
  /** Is a certificate mandatory on every TLS/ALB exposure? */
  requireTls: z.boolean(),
  /** Where Argo CD finds this repository and which revision the environment tracks. */
  gitops: strictObject({
    repoURL: gitRepoUrl,
    targetRevision: z.string().min(1),
    /** Argo CD's own namespace. @default argocd */
    argocdNamespace: z.string().default('argocd'),
    /**
     * The cluster Argo CD deploys to. Argo CD runs in the cluster it manages (one environment = one cluster),
     * so this is the in-cluster API server. @default https://kubernetes.default.svc
     */
    destinationServer: z.url({ protocol: /^https$/ }).default('https://kubernetes.default.svc'),
  }),
  addons: addonsSchema.default(addonsSchema.parse({})),
  /** Where platform and cluster alerts go. */
  alerting: alertingSchema,
  /** Review environments of pull requests in this cluster. @default none */
  reviewEnvironments: reviewEnvironmentsSchema.optional(),
  /**
   * Settings of a review environment, which shares its cluster with the environment it is derived from: cluster-wide
   * objects and Argo CD belong to that one. Never set by hand (lib/review/review-environment.ts derives them).
   */
  review: strictObject({
    /** The environment it derives from, whose cluster (and cluster facts) it shares. */
    base: envName,
    /** The pull request. */
    number: z.number().int().min(1),
    /** Namespace of a platform: `<prefix><platform>`. */
    namespacePrefix: z.string().regex(/^[a-z0-9-]+-$/),
    /** Appended to every chart subdomain, e.g. `shop-review-42`. */
    hostnameSuffix: z.string().regex(/^-[a-z0-9-]+$/),
    /** Publish the hostnames with external-dns. */
    publishDns: z.boolean(),
  }).optional(),
  /** Argo CD notifications: who hears of a failed sync or a degraded application. @default channels by convention */
  notifications: notificationsSchema.default(notificationsSchema.parse({})),
  /** Karpenter's node pool for the platforms. @default on-demand, 200 vCPU, 800Gi */
  nodePool: nodePoolSchema.default(nodePoolSchema.parse({})),
  /**
   * Scheduled dumps of every self-hosted data store to the cluster facts' `backup_bucket`, with the
   * restore Job beside them. @default no backups (the environment's data is not worth keeping)
   */
  backups: backupSettingsSchema.optional(),
  /** Refresh interval of every ExternalSecret unless a secret sets its own. */
  secretRefreshInterval: z.string().regex(/^\d+[smh]$/, 'must be a duration such as 15m or 1h').default('1h'),
  /** Prefix of every secret name in AWS Secrets Manager / SSM, e.g. `prod/`. */
  secretPathPrefix: z.string().regex(/^[a-z0-9/_-]*$/, "must be lower-case letters, digits, '/', '_' and '-', such as prod/"),
  /** ResourceQuota of each platform namespace unless the platform sets its own. */
  namespaceQuota: quotaSchema,
  /** Per-platform settings; a platform not listed renders with the chart's numbers. */
  platforms: z.record(z.string(), platformSettingsSchema).default({}),
});

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type EnvironmentSettings = z.output<typeof environmentSchema>;
export type PlatformSettings = z.output<typeof platformSettingsSchema>;
export type ServiceOverride = z.output<typeof serviceOverrideSchema>;
export type DataStoreOverride = z.output<typeof dataStoreOverrideSchema>;
export type Resources = z.output<typeof resourcesSchema>;
export type Autoscaling = z.output<typeof autoscalingSchema>;
export type Scaling = z.output<typeof scalingSchema>;
export type ScalingOverride = z.output<typeof scalingOverrideSchema>;
export type ImageOverride = z.output<typeof imageOverrideSchema>;
export type Quota = z.output<typeof quotaSchema>;
export type BackupSettings = z.output<typeof backupSettingsSchema>;
export type Addons = z.output<typeof addonsSchema>;
export type AlertReceiver = z.output<typeof alertReceiverSchema>;
export type NodePoolSettings = z.output<typeof nodePoolSchema>;
export type ReviewEnvironments = z.output<typeof reviewEnvironmentsSchema>;

/** A validated environment with its cluster's facts and what runs in it. */
export interface Environment extends EnvironmentSettings {
  readonly cluster: ClusterFacts;
  /** `releases/<env>.json`: the image tag and digest of every service. */
  readonly releases: Releases;
}

/** Typed helper for `environments/<name>.ts`: the object is validated when loaded, not here. */
export function defineEnvironment(input: EnvironmentInput): EnvironmentInput {
  return input;
}
