import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, formatZodIssues } from '../lib/errors';

/**
 * The facts of one EKS cluster, as the Terraform repository that owns the cluster publishes them with
 * `terraform output -json > environments/clusters/<env>.json`. This repository never creates AWS
 * resources; everything AWS-specific a chart needs comes from here.
 */
const arn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ${service} ARN (arn:aws:${service}:...)`);
const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lower-case DNS domain');

export const databaseEndpointSchema = z.strictObject({
  /** DNS name of the RDS endpoint. */
  host: domain,
  port: z.number().int().min(1).max(65535),
  engine: z.enum(['mysql', 'mariadb', 'postgres']),
});

export const clusterFactsSchema = z.strictObject({
  cluster_name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'must be an EKS cluster name'),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1'),
  account_id: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  oidc_provider_arn: arn('iam').refine((v) => v.includes(':oidc-provider/'), 'must be an IAM OIDC provider ARN'),
  cluster_endpoint: z.url({ protocol: /^https$/ }),
  vpc_cidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR'),
  availability_zones: z.array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/)).min(2, 'needs at least two zones'),
  /** IAM role per Kubernetes service account that uses AWS APIs (IRSA), keyed by a stable role key. */
  service_account_role_arns: z.record(z.string(), arn('iam')),
  /** ACM certificate per domain it covers (wildcards included). */
  certificate_arns: z.record(z.string(), arn('acm')),
  public_domain: domain,
  private_domain: domain,
  hosted_zone_ids: z.strictObject({ public: z.string().regex(/^Z[A-Z0-9]+$/), private: z.string().regex(/^Z[A-Z0-9]+$/) }),
  storage_class: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  database_endpoints: z.record(z.string(), databaseEndpointSchema),
  karpenter_node_role_name: z.string().min(1),
  karpenter_discovery_tag: z.string().min(1),
  /** SQS queue of EC2 interruption events (spot interruptions, rebalance, health) Karpenter drains nodes on. */
  karpenter_interruption_queue: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be an SQS queue name'),
  /**
   * The VPC of the cluster. The AWS Load Balancer Controller needs it given: on Karpenter's nodes pods cannot
   * reach the instance metadata service (hop limit 1) to look it up.
   */
  vpc_id: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-…)'),
  /** The cluster's Kubernetes minor version (`1.34`); the add-ons' charts are rendered for it. */
  kubernetes_version: z.string().regex(/^1\.\d{2}$/, 'must be a Kubernetes minor version such as 1.34'),
  /**
   * The CA certificate (PEM) that signed the AWS Load Balancer Controller's webhook serving certificate. Terraform
   * creates both; the certificate and key reach the cluster from Secrets Manager, never through Git.
   */
  aws_load_balancer_controller_webhook_ca: z.string().regex(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/, 'must be one PEM certificate'),
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
  const facts = clusterFactsSchema.safeParse(values);
  if (!facts.success) {
    throw new ConfigError(`environment ${environment}: cluster facts ${source} are invalid:\n${formatZodIssues(facts.error)}`);
  }
  return facts.data;
}

export function loadClusterFacts(environment: string, file: string): ClusterFacts {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`environment ${environment}: cannot read cluster facts ${file}: ${(e as Error).message}`);
  }
  return parseClusterFacts(environment, file, json);
}
