import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { arnOf, parseArn, partitionOf } from '../lib/aws-arn';
import { ConfigError, formatZodIssues } from '../lib/errors';
import { hostname, portNumber, strictObject } from '../lib/validation';

/**
 * The facts of one EKS cluster, as the Terraform repository that owns the cluster publishes them with
 * `terraform output -json > environments/clusters/<env>.json`. This repository never creates AWS
 * resources; everything AWS-specific a chart needs comes from here. ARNs are parsed, and every region and
 * account in them must be the cluster's own: a role from another account or a certificate from another
 * region would render and fail only in the cluster.
 */
const domain = hostname;
/** A domain an ACM certificate covers: exact, or a wildcard one label deep. */
const certificateDomain = z.string().regex(/^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain or a wildcard such as *.example.com');

const iamRole = arnOf({ service: 'iam', resourceType: 'role', global: true, description: 'an IAM role' });
const acmCertificate = arnOf({
  service: 'acm', resourceType: 'certificate', global: false, description: 'an ACM certificate',
  id: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
});
const oidcProvider = arnOf({ service: 'iam', resourceType: 'oidc-provider', global: true, description: 'an IAM OIDC provider' });

export const databaseEndpointSchema = strictObject({
  /** DNS name of the RDS endpoint. */
  host: domain,
  port: portNumber,
  engine: z.enum(['mysql', 'mariadb', 'postgres']),
});

export const clusterFactsSchema = strictObject({
  /** The environment these facts are for (Terraform's workspace or `var.environment`); must be the name of the environment that loads them. */
  environment: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be the name of an environment such as prod'),
  cluster_name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'must be an EKS cluster name'),
  region: z.string().regex(/^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1'),
  account_id: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  oidc_provider_arn: oidcProvider,
  cluster_endpoint: z.url({ protocol: /^https$/ }),
  vpc_cidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR'),
  availability_zones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'must be an availability zone such as eu-west-1a')).min(2, 'needs at least two zones'),
  /** IAM role per Kubernetes service account that uses AWS APIs (IRSA), keyed by a stable role key. */
  service_account_role_arns: z.record(z.string(), iamRole),
  /** ACM certificate per domain it covers (wildcards included). */
  certificate_arns: z.record(certificateDomain, acmCertificate),
  public_domain: domain,
  private_domain: domain,
  hosted_zone_ids: strictObject({ public: z.string().regex(/^Z[A-Z0-9]+$/), private: z.string().regex(/^Z[A-Z0-9]+$/) }),
  storage_class: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  database_endpoints: z.record(z.string(), databaseEndpointSchema),
  karpenter_node_role_name: z.string().min(1),
  karpenter_discovery_tag: z.string().min(1),
  /** S3 bucket the data stores' backup jobs write to (versioned and encrypted by Terraform). @default no backups possible */
  backup_bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').optional(),
  /** IAM role of the backup and restore jobs (IRSA): s3:PutObject, GetObject, ListBucket, DeleteObject on backup_bucket. */
  backup_role_arn: iamRole.optional(),
  /** IAM role of the platforms' OpenTelemetry Collectors (IRSA): xray:PutTraceSegments, PutTelemetryRecords. @default no tracing possible */
  xray_role_arn: iamRole.optional(),
}).superRefine((facts, ctx) => {
  const partition = partitionOf(facts.region);
  const arns: [PropertyKey[], string][] = [
    [['oidc_provider_arn'], facts.oidc_provider_arn],
    ...Object.entries(facts.service_account_role_arns).map(([k, v]): [PropertyKey[], string] => [['service_account_role_arns', k], v]),
    ...Object.entries(facts.certificate_arns).map(([k, v]): [PropertyKey[], string] => [['certificate_arns', k], v]),
    ...(['backup_role_arn', 'xray_role_arn'] as const).flatMap((k): [PropertyKey[], string][] => (facts[k] ? [[[k], facts[k]!]] : [])),
  ];
  for (const [path, text] of arns) {
    const arn = parseArn(text);
    if (typeof arn === 'string') continue;
    if (arn.partition !== partition) {
      ctx.addIssue({ code: 'custom', path, message: `is in partition ${arn.partition}, but region ${facts.region} is in ${partition}` });
    }
    if (arn.account !== facts.account_id) {
      ctx.addIssue({ code: 'custom', path, message: `belongs to account ${arn.account}, not the cluster's account_id ${facts.account_id}` });
    }
    if (arn.region !== '' && arn.region !== facts.region) {
      ctx.addIssue({
        code: 'custom', path,
        message: `is in region ${arn.region}, but the cluster is in ${facts.region}; ALBs and NLBs only use ACM certificates of their own region`,
      });
    }
  }
  const oidc = parseArn(facts.oidc_provider_arn);
  const issuerRegion = typeof oidc === 'string' ? undefined : /^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(oidc.resourceId)?.[1];
  if (issuerRegion !== undefined && issuerRegion !== facts.region) {
    ctx.addIssue({ code: 'custom', path: ['oidc_provider_arn'], message: `is the OIDC issuer of a cluster in ${issuerRegion}, not ${facts.region}` });
  }
  const endpointRegion = /\.([a-z0-9-]+)\.eks\.amazonaws\.com(\.cn)?$/.exec(URL.canParse(facts.cluster_endpoint) ? new URL(facts.cluster_endpoint).hostname : '')?.[1];
  if (endpointRegion !== undefined && endpointRegion !== facts.region) {
    ctx.addIssue({ code: 'custom', path: ['cluster_endpoint'], message: `is an EKS endpoint in ${endpointRegion}, not ${facts.region}` });
  }
  facts.availability_zones.forEach((zone, i) => {
    if (!zone.startsWith(facts.region)) {
      ctx.addIssue({ code: 'custom', path: ['availability_zones', i], message: `'${zone}' is not a zone of region ${facts.region}` });
    }
  });
  for (const [key, endpoint] of Object.entries(facts.database_endpoints)) {
    const rdsRegion = /\.([a-z0-9-]+)\.rds\.amazonaws\.com(\.cn)?$/.exec(endpoint.host)?.[1];
    if (rdsRegion !== undefined && rdsRegion !== facts.region) {
      ctx.addIssue({ code: 'custom', path: ['database_endpoints', key, 'host'], message: `is an RDS endpoint in ${rdsRegion}, not ${facts.region}` });
    }
  }
  for (const key of Object.keys(facts.certificate_arns)) {
    const bare = key.replace(/^\*\./, '');
    const inside = [facts.public_domain, facts.private_domain].some((d) => bare === d || bare.endsWith(`.${d}`));
    if (!inside) {
      ctx.addIssue({ code: 'custom', path: ['certificate_arns', key], message: `covers a domain outside public_domain ${facts.public_domain} and private_domain ${facts.private_domain}` });
    }
  }
});

export type ClusterFacts = z.infer<typeof clusterFactsSchema>;
export type DatabaseEndpoint = z.infer<typeof databaseEndpointSchema>;

/** One entry of `terraform output -json`: `{ "sensitive": false, "type": ..., "value": ... }`. */
const terraformOutputSchema = z.record(
  z.string(),
  z.object({ value: z.unknown(), sensitive: z.boolean().optional(), type: z.unknown().optional() }),
);

/**
 * Parses a `terraform output -json` document into typed cluster facts. Sensitive outputs are refused:
 * everything here ends up in committed YAML.
 */
export function parseClusterFacts(environment: string, source: string, json: unknown): ClusterFacts {
  const outputs = terraformOutputSchema.safeParse(json);
  if (!outputs.success) {
    throw new ConfigError(
      `environment ${environment}: cluster facts ${source} are not \`terraform output -json\` output:\n${formatZodIssues(outputs.error)}`,
    );
  }
  const sensitive = Object.entries(outputs.data).filter(([, o]) => o.sensitive).map(([k]) => k);
  if (sensitive.length > 0) {
    throw new ConfigError(
      `environment ${environment}: cluster facts ${source}: output ${sensitive.join(', ')} is sensitive; ` +
        'rendered manifests are committed to Git, so pass secrets through AWS Secrets Manager instead',
    );
  }
  const values = Object.fromEntries(Object.entries(outputs.data).map(([k, o]) => [k, o.value]));
  const facts = clusterFactsSchema.safeParse(values, { reportInput: true });
  if (!facts.success) {
    throw new ConfigError(`environment ${environment}: cluster facts ${source} are invalid:\n${formatZodIssues(facts.error)}`);
  }
  return facts.data;
}

/**
 * Reads a facts file. Terraform writes UTF-8 JSON; a byte-order mark or UTF-16 (what PowerShell's `>` writes)
 * is refused with the fix instead of a JSON parser's complaint about an invisible character.
 * @param source the file as the message names it, e.g. `environments/clusters/dev.json`
 */
export function loadClusterFacts(environment: string, file: string, source: string = file): ClusterFacts {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `environment ${environment}: cannot read cluster facts ${source}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}; ` +
        `clusterFactsFile in environments/${environment}.ts names it, relative to environments/`,
    );
  }
  const encoding = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 'UTF-8 with a byte-order mark'
    : (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) ? 'UTF-16'
    : bytes.length > 1 && (bytes[0] === 0 || bytes[1] === 0) ? 'UTF-16 without a byte-order mark' : undefined;
  if (encoding) {
    throw new ConfigError(
      `environment ${environment}: cluster facts ${source} are ${encoding}; they must be plain UTF-8 JSON as ` +
        '`terraform output -json > file` writes it in a POSIX shell (in PowerShell: `terraform output -json | Out-File -Encoding utf8NoBOM file`)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ConfigError(`environment ${environment}: cluster facts ${source} are not valid JSON: ${(e as Error).message}`);
  }
  return parseClusterFacts(environment, source, json);
}
