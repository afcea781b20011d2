import { z } from 'zod';
import type { ClusterFacts } from './cluster-facts';

/**
 * What an environment may set. Everything that differs between dev, staging and prod is a field here;
 * charts read fields and never test an environment's name.
 */

const cpu = z.string().regex(/^(\d+m|\d+(\.\d+)?)$/, 'must be a CPU quantity such as 250m or 1.5');
const memory = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity such as 512Mi or 2Gi');
const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lower-case DNS hostname');

export const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu, memory }),
  /** CPU limits are optional on purpose: they throttle latency-sensitive JVMs. Memory limits are not. */
  limits: z.strictObject({ cpu: cpu.optional(), memory }),
});

export const imageOverrideSchema = z
  .strictObject({
    tag: z.string().min(1).optional(),
    digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex digits>').optional(),
  })
  .refine((i) => i.tag !== undefined || i.digest !== undefined, 'set a tag, a digest or both');

export const autoscalingSchema = z
  .strictObject({
    minReplicas: z.number().int().min(1, 'must be ≥ 1'),
    maxReplicas: z.number().int().min(1, 'must be ≥ 1'),
    targetCPUUtilizationPercentage: z.number().int().min(1).max(100).optional(),
    targetMemoryUtilizationPercentage: z.number().int().min(1).max(100).optional(),
  })
  .refine((a) => a.maxReplicas >= a.minReplicas, { message: 'maxReplicas must be ≥ minReplicas', path: ['maxReplicas'] });

export const serviceOverrideSchema = z.strictObject({
  replicas: z.number().int().min(1, 'must be ≥ 1'),
  resources: resourcesSchema,
  image: imageOverrideSchema,
  /** `false` turns the HPA off; an object replaces the chart's bounds. */
  autoscaling: z.union([z.literal(false), autoscalingSchema]),
  /** Replaces the hostnames the chart derives from the environment's domains. */
  hostnames: z.array(hostname).min(1),
}).partial();

export const dataStoreOverrideSchema = z.strictObject({
  replicas: z.number().int().min(1, 'must be ≥ 1'),
  resources: resourcesSchema,
  image: imageOverrideSchema,
  storage: z.string().regex(/^\d+(Mi|Gi|Ti)$/, 'must be a size such as 20Gi'),
}).partial();

export const quotaSchema = z.strictObject({
  requestsCpu: cpu,
  requestsMemory: memory,
  limitsCpu: cpu,
  limitsMemory: memory,
  pods: z.number().int().min(1),
  persistentVolumeClaims: z.number().int().min(0),
  requestsStorage: z.string().regex(/^\d+(Gi|Ti)$/),
});

export const platformSettingsSchema = z.strictObject({
  /** Render this platform in this environment. @default true */
  enabled: z.boolean().default(true),
  services: z.record(z.string(), serviceOverrideSchema).default({}),
  dataStores: z.record(z.string(), dataStoreOverrideSchema).default({}),
  /** Namespace ResourceQuota of this platform. @default the environment's namespaceQuota */
  quota: quotaSchema.optional(),
});

export const addonsSchema = z.strictObject({
  ingressNginx: z.boolean().default(true),
  awsLoadBalancerController: z.boolean().default(true),
  externalDns: z.boolean().default(true),
  metricsServer: z.boolean().default(true),
  karpenter: z.boolean().default(true),
  externalSecrets: z.boolean().default(true),
  kubePrometheusStack: z.boolean().default(true),
  fluentBit: z.boolean().default(true),
});

export const environmentSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be a short lower-case name'),
  /** `terraform output -json` of the cluster, relative to `environments/`. */
  clusterFactsFile: z.string().min(1),
  /**
   * What image references this environment accepts. `pinned` refuses `latest` and untagged images;
   * `immutable` also demands a digest or a full semantic version (MAJOR.MINOR.PATCH), which ECR keeps
   * immutable.
   */
  imagePolicy: z.enum(['pinned', 'immutable']),
  /** Is a certificate mandatory on every TLS/ALB exposure? */
  requireTls: z.boolean(),
  /** Where Argo CD finds this repository and which revision the environment tracks. */
  gitops: z.strictObject({
    repoURL: z.string().min(1),
    targetRevision: z.string().min(1),
    /** Argo CD's own namespace. @default argocd */
    argocdNamespace: z.string().default('argocd'),
  }),
  addons: addonsSchema.default(addonsSchema.parse({})),
  /** Refresh interval of every ExternalSecret unless a secret sets its own. */
  secretRefreshInterval: z.string().regex(/^\d+[smh]$/).default('1h'),
  /** Prefix of every secret name in AWS Secrets Manager / SSM, e.g. `prod/`. */
  secretPathPrefix: z.string().regex(/^[a-z0-9/_-]*$/),
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
export type ImageOverride = z.output<typeof imageOverrideSchema>;
export type Quota = z.output<typeof quotaSchema>;

/** A validated environment with its cluster's facts. */
export interface Environment extends EnvironmentSettings {
  readonly cluster: ClusterFacts;
}

/** Typed helper for `environments/<name>.ts`: the object is validated when loaded, not here. */
export function defineEnvironment(input: EnvironmentInput): EnvironmentInput {
  return input;
}
