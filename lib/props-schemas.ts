import type { IConstruct } from 'constructs';
import { z } from 'zod';
import { scalingSchema } from '../environments/schema';
import { ConfigError, ErrorSubject, formatZodIssues } from './errors';
import { PlatformChart } from './platform-chart';
import type { ComponentKind } from './component-record';
import {
  absolutePath, configMapKey, dns1035Label, dns1123Subdomain, envVarName, httpPath, plainConfig, portName, portNumber,
  normalisePath, resourcesSchema, storage, strictObject,
} from './validation';

/**
 * The props of our constructs as charts write them, checked when a construct is created with the same
 * building blocks as the environments' overrides: `npm run synth` does not type-check charts, and a
 * misspelled optional prop would otherwise be dropped without a word. Unknown keys are errors.
 */

/** Objects the render adds to every platform namespace itself; a component of that name would collide. */
export const RESERVED_NAMES: Readonly<Record<string, string>> = {
  'default-deny': 'the NetworkPolicy that denies all traffic of the namespace',
  'allow-dns': 'the NetworkPolicy that allows DNS to every pod',
};

/** Name of a component: a DNS-1035 label (its Service is named after it), not one the render uses itself. */
export function componentName(maxLength = 63) {
  return dns1035Label
    .max(maxLength, `must be at most ${maxLength} characters (the names derived from it must stay DNS labels)`)
    .refine((n) => !(n in RESERVED_NAMES), { error: (issue) => `'${String(issue.input)}' is reserved: the render adds ${RESERVED_NAMES[String(issue.input)]} under that name; choose another` });
}

const labelValue = z.string().max(63).regex(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/, 'must be a label value such as backend');

export const imageReferenceSchema = strictObject({
  repository: z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:\d+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/, 'must be an image repository without tag or digest (those go in tag and digest), such as public.ecr.aws/nginx/nginx-unprivileged'),
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag such as 1.2.3').optional(),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 hex digits>').optional(),
});

const hostNameSchema = strictObject({
  subdomain: z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)?$/, "must be lower-case DNS labels such as shop, or '' for the apex"),
  zone: z.enum(['public', 'private']),
});
const hosts = z.array(hostNameSchema).min(1, 'needs at least one host: without one no Ingress or load balancer is rendered (use type: internal for none)');
const paths = z.array(httpPath).min(1, "needs at least one path, such as '/'");

const exposureSchema = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('internal') }),
  strictObject({ type: z.literal('nginx-ingress'), hosts, paths }),
  strictObject({ type: z.literal('alb-ingress'), hosts, paths: paths.optional() }),
  strictObject({
    type: z.literal('load-balancer'),
    hosts,
    ports: z.array(strictObject({
      name: portName, port: portNumber, targetPort: portName, tls: z.boolean().optional(),
      // lib/exposure-plan.ts refuses a port that has neither tls: true nor this reason.
      plaintext: z.string().min(15, 'must say why the port stays plain').optional(),
    })).min(1, 'needs at least one port'),
  }),
], { error: (issue) => (issue.code === 'invalid_union' ? 'type must be one of internal, nginx-ingress, alb-ingress, load-balancer' : undefined) });

const secretSchema = strictObject({
  secretName: dns1123Subdomain.optional(),
  remoteKey: z.string().regex(/^[A-Za-z0-9_+=.@/-]+$/, 'must be a Secrets Manager name such as sales-order/customer-mysql'),
  env: z.record(envVarName, z.string().min(1, 'must name a property of the remote secret')),
  store: z.enum(['aws-secrets-manager', 'aws-parameter-store']).optional(),
  refreshInterval: z.string().regex(/^\d+[smh]$/, 'must be a duration such as 15m or 1h').optional(),
});

const dependencySchema = strictObject({ target: z.string().min(1), ports: z.array(portName).optional() });

/** Reports each value that occurs twice in a list. */
function unique<T>(ctx: z.RefinementCtx, path: PropertyKey[], values: readonly T[], what: string): void {
  const seen = new Set<T>();
  values.forEach((v, i) => {
    if (seen.has(v)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `${what} ${JSON.stringify(v)} occurs twice; each must be unique` });
    seen.add(v);
  });
}

const promMetricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name');

export const microservicePropsSchema = strictObject({
  image: imageReferenceSchema,
  component: labelValue.optional(),
  port: portNumber.optional(),
  extraPorts: z.array(strictObject({ name: portName, port: portNumber })).optional(),
  scaling: scalingSchema,
  resources: resourcesSchema,
  health: strictObject({
    readinessPath: httpPath.optional(),
    livenessPath: httpPath.optional(),
    startupTimeoutSeconds: z.number().int().min(1, 'must be 1–3600 seconds').max(3600, 'must be 1–3600 seconds').optional(),
  }).optional(),
  config: plainConfig.optional(),
  configFiles: strictObject({ mountPath: absolutePath, files: z.record(configMapKey, z.string()) }).optional(),
  caBundles: z.array(strictObject({ configMap: dns1123Subdomain, mountPath: absolutePath, file: absolutePath })).optional(),
  secrets: z.array(secretSchema).optional(),
  dependsOn: z.array(dependencySchema).optional(),
  exposure: exposureSchema.optional(),
  nodePort: z.boolean().optional(),
  internal: z.boolean().optional(),
  awsRole: z.string().min(1).optional(),
  metrics: strictObject({
    port: portNumber.optional(),
    path: httpPath.optional(),
    http: strictObject({
      requests: promMetricName,
      statusLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name'),
      durationBuckets: promMetricName.optional(),
      config: plainConfig.optional(),
    }).optional(),
    availabilityObjective: z.number().gt(0, 'must be a share between 0 and 1 (e.g. 0.999)').lt(1, 'must be a share between 0 and 1 (e.g. 0.999)').optional(),
  }).optional(),
  traces: z.boolean().optional(),
  runAsUser: z.number().int().min(1, 'must be a non-root uid ≥ 1').max(2147483647).optional(),
  writablePaths: z.array(absolutePath).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
}).superRefine((p, ctx) => {
  const ports = [{ name: 'http', port: p.port ?? 8080 }, ...(p.extraPorts ?? [])];
  unique(ctx, ['extraPorts'], ports.map((x) => x.name), 'port name');
  unique(ctx, ['extraPorts'], ports.map((x) => x.port), 'port');
  if (p.exposure && p.exposure.type !== 'internal') {
    unique(ctx, ['exposure', 'hosts'], p.exposure.hosts.map((h) => `${h.subdomain}/${h.zone}`), 'host');
    if ('paths' in p.exposure && p.exposure.paths) {
      // Prefix paths match by path element: /api/orders and /api/orders/ are one route.
      unique(ctx, ['exposure', 'paths'], p.exposure.paths.map(normalisePath), 'path');
    }
    if (p.exposure.type === 'load-balancer') {
      unique(ctx, ['exposure', 'ports'], p.exposure.ports.map((x) => x.name), 'port name');
      unique(ctx, ['exposure', 'ports'], p.exposure.ports.map((x) => x.port), 'port');
    }
  }
  unique(ctx, ['secrets'], (p.secrets ?? []).map((s) => s.secretName ?? s.remoteKey), 'secret');
  const variables = [...Object.keys(p.config ?? {}), ...(p.secrets ?? []).flatMap((s) => Object.keys(s.env))];
  unique(ctx, ['secrets'], variables, 'environment variable');
});

/** The props every data store shares once its construct resolved its defaults. */
export const dataStoreCommonSchema = z.object({
  image: imageReferenceSchema,
  replicas: z.number().int('must be a whole number').min(1, 'must be ≥ 1'),
  resources: resourcesSchema,
  storage,
  ports: z.array(strictObject({ name: portName, port: portNumber, sidecar: z.string().min(1).optional() })).min(1),
});

const dataStoreChartProps = {
  image: imageReferenceSchema.optional(),
  credentialsKey: z.string().regex(/^[A-Za-z0-9_+=.@/-]+$/, 'must be a Secrets Manager name such as sales-order/customer-mysql'),
  storage: storage.optional(),
  resources: resourcesSchema.optional(),
};
const databaseName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a database name: lower-case letters, digits and _');
/** What charts may pass to each data store construct. */
export const dataStorePropsSchemas = {
  MySql: strictObject({ ...dataStoreChartProps, database: databaseName }),
  Postgres: strictObject({ ...dataStoreChartProps, database: databaseName }),
  MongoDb: strictObject({ ...dataStoreChartProps, appDatabase: databaseName, members: z.number().int().min(1).max(50).optional() }),
  Redis: strictObject({ ...dataStoreChartProps, replicas: z.number().int().min(1, 'must be ≥ 1').optional() }),
  ExternalDatabase: strictObject({ endpoint: z.string().min(1), engine: z.enum(['mysql', 'mariadb', 'postgres']) }),
} as const;

/**
 * Parses a construct's props, throwing a ConfigError that names the component, the chart file and each
 * field with what is allowed.
 */
export function checkProps<T>(schema: z.ZodType<T>, props: unknown, subject: ErrorSubject, chartFile: string, prefix: readonly PropertyKey[] = []): T {
  const parsed = schema.safeParse(props, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError({ ...subject, file: chartFile }, `invalid props:\n${formatZodIssues(parsed.error, prefix)}`);
  }
  return parsed.data;
}

/** Checks a component's name (the construct id). */
export function checkName(name: string, subject: ErrorSubject, chartFile: string, maxLength = 63): void {
  const parsed = componentName(maxLength).safeParse(name, { reportInput: true });
  if (!parsed.success) throw new ConfigError({ ...subject, file: chartFile }, `invalid name:\n${formatZodIssues(parsed.error, ['name'])}`);
}

/** Checks the props a chart passes to a data store construct (MySql, Redis, …) before it resolves its defaults. */
export function checkDataStoreProps(scope: IConstruct, name: string, construct: keyof typeof dataStorePropsSchemas, props: unknown, kind: ComponentKind = 'data-store'): void {
  const chart = PlatformChart.platformOf(scope);
  const subject = chart.context.subject(name, kind);
  checkName(name, subject, chart.sourceFile, kind === 'data-store' ? 54 : 63);
  checkProps(dataStorePropsSchemas[construct] as z.ZodType, props, subject, chart.sourceFile);
}
