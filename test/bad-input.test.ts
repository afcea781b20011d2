import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Construct } from 'constructs';
import { PLATFORMS } from '../charts';
import { ENVIRONMENT_SOURCES, EnvironmentSource } from '../environments';
import { runSynth } from '../cli/synth-command';
import { Microservice, MicroserviceProps } from '../lib/microservice';
import { MySql } from '../lib/mysql';
import type { PlatformDefinition } from '../lib/platform';
import { PlatformChart, PlatformChartClass } from '../lib/platform-chart';
import type { PlatformContext } from '../lib/platform-context';
import { Any, ROOT, snapshotTree, Workspace } from './helpers';

/**
 * Every mistake a user can make in the documented configuration, one row each: the synth entry function
 * (`runSynth`, what `npm run synth` runs) is called in-process with the changed input, and must exit non-zero
 * with a message naming the file, the field and what is allowed, leaving dist/ and argocd/ byte for byte as
 * they were. Two end-to-end runs of the real CLI at the end prove the wiring.
 */

type Facts = Record<string, Record<string, Any>>;
interface Case {
  readonly mistake: string;
  /** Changes the committed environments (by name). */
  readonly env?: (envs: Record<string, Any>) => void;
  /** Changes the cluster facts files: name → `terraform output -json` document; or the raw bytes. */
  readonly facts?: (facts: Facts) => void;
  readonly rawFacts?: { readonly env: string; readonly bytes: Buffer };
  /** Changes the committed release files (by environment name); handed to the render instead of the files. */
  readonly releases?: (releases: Record<string, Any>) => void;
  /** Replaces the platforms (chart mistakes). */
  readonly platforms?: readonly PlatformDefinition[];
  /** Arguments. @default ['--quiet'] */
  readonly args?: readonly string[];
  readonly cwd?: string;
  readonly npmEnv?: string;
  /** The message must name this file (or command), this field, and say what is allowed. */
  readonly file: string;
  readonly field: string;
  readonly allowed: string | RegExp;
  /** @default 1 */
  readonly exit?: number;
}

const BASE_PROPS: MicroserviceProps = {
  image: { repository: 'example.com/demo-api', tag: '1.2.3' },
  scaling: { replicas: 2 },
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } },
  exposure: { type: 'nginx-ingress', hosts: [{ subdomain: 'demo', zone: 'public' }], paths: ['/'] },
};

/** A platform `demo` with one chart, `charts/demo/demo-api.ts`, whose service has these props. */
function demo(change: (props: Any) => void, name = 'demo-api'): PlatformDefinition[] {
  const props: Any = structuredClone(BASE_PROPS);
  change(props);
  return [platform([chartClass('DemoApiChart', 'demo-api', (chart) => new Microservice(chart, name, props))])];
}

function chartClass(className: string, id: string, build: (chart: PlatformChart) => void): PlatformChartClass {
  const cls = class extends PlatformChart {
    constructor(scope: Construct, context: PlatformContext) {
      super(scope, id, context);
      build(this);
    }
  };
  Object.defineProperty(cls, 'name', { value: className });
  return cls;
}

function platform(charts: PlatformChartClass[]): PlatformDefinition {
  return { name: 'demo', description: 'demo', charts };
}

const service = (name: string, extra: Partial<MicroserviceProps>) => (chart: PlatformChart) =>
  new Microservice(chart, name, { ...structuredClone(BASE_PROPS), exposure: { type: 'internal' }, ...extra });

const arn = (s: string) => s;
const CHART = 'charts/demo/demo-api.ts';
function changedReleases(change: (releases: Record<string, Any>) => void): Map<string, Any> {
  const releases: Record<string, Any> = Object.fromEntries(['dev', 'staging', 'prod'].map((e) => [e, JSON.parse(readFileSync(join(ROOT, 'releases', `${e}.json`), 'utf8'))]));
  change(releases);
  return new Map(Object.entries(releases));
}
const setFact = (facts: Facts, env: string, key: string, value: unknown) => { facts[env][key] = { sensitive: false, type: 'string', value }; };

const cases: Case[] = [
  // ---- Environment identity -------------------------------------------------------------------------------
  { mistake: "a copy-pasted name: 'dev' in staging.ts", env: (e) => { e.staging.name = 'dev'; }, file: 'environments/staging.ts', field: "name: 'dev'", allowed: "must be 'staging'" },
  { mistake: "dev.ts pointing at prod's cluster facts", env: (e) => { e.dev.clusterFactsFile = 'clusters/prod.json'; }, file: 'environments/dev.ts', field: 'clusterFactsFile', allowed: "point clusterFactsFile at the facts of dev's own cluster" },
  { mistake: 'an account that is not the facts\' account', env: (e) => { e.dev.awsAccountId = '999999999999'; }, file: 'environments/dev.ts', field: 'awsAccountId', allowed: 'must name the same AWS account' },
  { mistake: 'a malformed account id', env: (e) => { e.dev.awsAccountId = '1234'; }, file: 'environments/dev.ts', field: 'awsAccountId', allowed: 'must be a 12-digit AWS account id' },
  { mistake: 'a clusterFactsFile that does not exist', env: (e) => { e.dev.clusterFactsFile = 'clusters/develop.json'; }, file: 'environments/clusters/develop.json', field: 'clusterFactsFile', allowed: 'no such file' },
  {
    mistake: 'two environments on one EKS cluster',
    facts: (f) => { f.staging.cluster_endpoint = structuredClone(f.dev.cluster_endpoint); },
    file: 'environments/staging.ts', field: 'sharesWith', allowed: 'give each environment its own cluster facts',
  },
  {
    mistake: 'two environments on one DNS domain',
    facts: (f) => {
      f.staging.public_domain.value = 'dev.example.com';
      const certs = f.staging.certificate_arns.value;
      certs['*.dev.example.com'] = certs['*.staging.example.com'];
      delete certs['*.staging.example.com'];
    },
    file: 'environments/staging.ts', field: 'sharesWith: { domains', allowed: 'Give each environment its own domains',
  },
  { mistake: 'sharesWith naming no valid environment', env: (e) => { e.dev.sharesWith = { cluster: ['Staging'] }; }, file: 'environments/dev.ts', field: 'sharesWith.cluster.0', allowed: 'must be a short lower-case name' },
  // ---- Environment fields -------------------------------------------------------------------------------
  { mistake: 'repoURL without a scheme', env: (e) => { e.prod.gitops.repoURL = 'github.com/acme/platform-manifests.git'; }, file: 'environments/prod.ts', field: 'gitops.repoURL', allowed: 'must be a Git URL Argo CD can clone: https://' },
  { mistake: 'a misspelled top-level key', env: (e) => { e.prod.requireTLS = true; }, file: 'environments/prod.ts', field: "'requireTLS'", allowed: /did you mean 'requireTls'\?\); allowed: addons, alerting, awsAccountId, .*clusterFactsFile, .*requireTls/ },
  { mistake: 'a misspelled override key', env: (e) => { e.dev.platforms.storefront.services.web.resourses = e.dev.platforms.storefront.services.web.resources; }, file: 'environments/dev.ts', field: 'platforms.storefront.services.web', allowed: "did you mean 'resources'?); allowed: config, hostnames, resources, scaling" },
  { mistake: 'replicas written the old way, beside the scaling shape', env: (e) => { e.dev.platforms.storefront.services.web.replicas = 1; }, file: 'environments/dev.ts', field: 'platforms.storefront.services.web', allowed: 'write scaling: { replicas: <n> }' },
  {
    mistake: 'replicas beside autoscaling in an override',
    env: (e) => { e.staging.platforms.toytrex.services.web.scaling.replicas = 3; },
    file: 'environments/staging.ts', field: 'platforms.toytrex.services.web.scaling', allowed: 'set exactly one of replicas, autoscaling (got replicas and autoscaling)',
  },
  { mistake: 'an empty scaling override', env: (e) => { e.dev.platforms.storefront.services.web.scaling = {}; }, file: 'environments/dev.ts', field: 'services.web.scaling', allowed: 'set exactly one of replicas, autoscaling (got none)' },
  { mistake: 'a scaling override of a service that is fixed by design', env: (e) => { e.dev.platforms['sales-order'].services['user-service'].scaling = { replicas: 2 }; }, args: ['--quiet', '--env', 'dev'], file: 'environments/dev.ts', field: 'platforms.sales-order.services.user-service.scaling', allowed: 'runs exactly 1 replica(s) by design' },
  { mistake: 'HPA bounds inverted in an override', env: (e) => { e.staging.platforms.toytrex.services.web.scaling.autoscaling.minReplicas = 10; }, file: 'environments/staging.ts', field: 'scaling.autoscaling.maxReplicas', allowed: 'must be ≥ minReplicas' },
  { mistake: 'an HPA without a target in an override', env: (e) => { delete e.staging.platforms.toytrex.services.web.scaling.autoscaling.targetCPUUtilizationPercentage; }, file: 'environments/staging.ts', field: 'services.web.scaling.autoscaling', allowed: 'needs a target: targetCPUUtilizationPercentage' },
  { mistake: 'a utilization of 150%', env: (e) => { e.staging.platforms.toytrex.services.web.scaling.autoscaling.targetCPUUtilizationPercentage = 150; }, file: 'environments/staging.ts', field: 'autoscaling.targetCPUUtilizationPercentage', allowed: 'must be a percentage 1–100' },
  { mistake: "cpu: '1 core' in an override", env: (e) => { e.dev.platforms.storefront.services.web.resources = { requests: { cpu: '1 core', memory: '256Mi' }, limits: { memory: '256Mi' } }; }, file: 'environments/dev.ts', field: 'services.web.resources.requests.cpu', allowed: 'must be a CPU quantity: millicores such as 250m' },
  { mistake: "memory: '512mb' in an override", env: (e) => { e.dev.platforms.storefront.services.web.resources = { requests: { cpu: '100m', memory: '512mb' }, limits: { memory: '512Mi' } }; }, file: 'environments/dev.ts', field: 'resources.requests.memory', allowed: 'binary suffix (Ki, Mi, Gi, Ti)' },
  { mistake: 'a memory limit below the request in an override', env: (e) => { e.dev.platforms.storefront.services.web.resources = { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '256Mi' } }; }, file: 'environments/dev.ts', field: 'resources.limits.memory', allowed: 'the limit must be ≥ the request' },
  { mistake: 'a CPU limit below the request in an override', env: (e) => { e.dev.platforms.storefront.services.web.resources = { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '250m', memory: '256Mi' } }; }, file: 'environments/dev.ts', field: 'resources.limits.cpu', allowed: 'the limit must be ≥ the request' },
  { mistake: "storage: '20GB' for a data store", env: (e) => { e.dev.platforms['sales-order'].dataStores['customer-mysql'].storage = '20GB'; }, file: 'environments/dev.ts', field: 'dataStores.customer-mysql.storage', allowed: 'binary suffix (Mi, Gi, Ti)' },
  { mistake: 'zero data store replicas', env: (e) => { e.dev.platforms['sales-order'].dataStores['order-mongodb'].replicas = 0; }, file: 'environments/dev.ts', field: 'dataStores.order-mongodb.replicas', allowed: 'must be ≥ 1' },
  { mistake: "a plaintext DB_PASSWORD in config", env: (e) => { e.dev.platforms.toytrex.services.web.config.DB_PASSWORD = 'hunter2'; }, file: 'environments/dev.ts', field: 'services.web.config.DB_PASSWORD', allowed: "inject it with the service's `secrets`" },
  { mistake: 'an API token in config', env: (e) => { e.dev.platforms.toytrex.services.web.config.GITHUB_TOKEN = 'ghp_x'; }, file: 'environments/dev.ts', field: 'config.GITHUB_TOKEN', allowed: '`secrets`' },
  { mistake: 'a URL with a password in config', env: (e) => { e.dev.platforms.toytrex.services.web.config.DATABASE_URL = 'postgres://app:hunter2@db:5432/app'; }, file: 'environments/dev.ts', field: 'config.DATABASE_URL', allowed: 'holds a URL with a password' },
  { mistake: "a config key 'LOG LEVEL'", env: (e) => { e.dev.platforms.toytrex.services.web.config['LOG LEVEL'] = 'debug'; }, file: 'environments/dev.ts', field: 'config.LOG LEVEL', allowed: 'must be an environment variable name' },
  { mistake: 'hostnames: []', env: (e) => { e.prod.platforms.storefront = { services: { web: { hostnames: [] } } }; }, file: 'environments/prod.ts', field: 'services.web.hostnames', allowed: 'needs at least one hostname' },
  { mistake: 'an upper-case hostname', env: (e) => { e.prod.platforms.storefront = { services: { web: { hostnames: ['Shop.example.com'] } } }; }, file: 'environments/prod.ts', field: 'hostnames.0', allowed: 'must be a lower-case DNS hostname' },
  { mistake: 'an unknown image policy', env: (e) => { e.prod.imagePolicy = 'strict'; }, file: 'environments/prod.ts', field: 'imagePolicy', allowed: '"pinned"|"immutable"' },
  { mistake: 'a quota of zero pods', env: (e) => { e.prod.namespaceQuota.pods = 0; }, file: 'environments/prod.ts', field: 'namespaceQuota.pods', allowed: '>=1' },
  { mistake: 'a quota whose memory limits are below its requests', env: (e) => { e.prod.namespaceQuota.limitsMemory = '32Gi'; }, file: 'environments/prod.ts', field: 'namespaceQuota.limitsMemory', allowed: 'must be ≥ requestsMemory' },
  { mistake: 'a refresh interval in words', env: (e) => { e.prod.secretRefreshInterval = '1 hour'; }, file: 'environments/prod.ts', field: 'secretRefreshInterval', allowed: 'must be a duration such as 15m' },
  { mistake: 'an unknown capacity type', env: (e) => { e.dev.nodePool.capacityTypes = ['reserved']; }, file: 'environments/dev.ts', field: 'nodePool.capacityTypes.0', allowed: '"on-demand"|"spot"' },
  { mistake: 'an unpinned AMI alias', env: (e) => { e.dev.nodePool.amiAlias = 'al2023@latest'; }, file: 'environments/dev.ts', field: 'nodePool.amiAlias', allowed: 'must be a pinned alias' },
  { mistake: 'a platform that does not exist', env: (e) => { e.dev.platforms['sales-orders'] = {}; }, args: ['--quiet', '--env', 'dev'], file: 'environments/dev.ts', field: 'platforms.sales-orders', allowed: 'platforms: sales-order, storefront' },
  { mistake: 'an override for a service that does not exist', env: (e) => { e.dev.platforms['sales-order'].services['billing-service'] = { scaling: { replicas: 2 } }; }, args: ['--quiet', '--env', 'dev'], file: 'environments/dev.ts', field: 'platforms.sales-order.services.billing-service', allowed: 'it has: ' },
  { mistake: 'a service image in an environment file (it is release data)', env: (e) => { e.dev.platforms['sales-order'].services['order-service'].image = { tag: '2.0.5' }; }, file: 'environments/dev.ts', field: 'platforms.sales-order.services.order-service', allowed: "write the release in releases/<env>.json (npm run release -- set, see docs/releases.md) instead of 'image'" },
  { mistake: "a 'latest' tag in a release", releases: (r) => { r.dev['sales-order']['order-service'].tag = 'latest'; }, file: 'releases/dev.json', field: 'sales-order.order-service.tag', allowed: "'latest' moves with every push" },
  { mistake: 'a release digest that is not a digest', releases: (r) => { r.dev['sales-order']['order-service'].digest = 'sha256:abc'; }, file: 'releases/dev.json', field: 'sales-order.order-service.digest', allowed: 'must be sha256:<64 lower-case hex digits>' },
  { mistake: 'an unknown field in a release', releases: (r) => { r.prod.storefront.web.sha = 'abc'; }, file: 'releases/prod.json', field: 'storefront.web', allowed: 'Unrecognized key: "sha"' },
  { mistake: 'a release of a service the platform does not have', releases: (r) => { r.staging.storefront.checkout = { tag: '1.0.0' }; }, file: 'releases/staging.json', field: '"storefront"."checkout"', allowed: 'is not a service of platform storefront (services: web)' },
  { mistake: 'a release of a platform that does not exist', releases: (r) => { r.staging.billing = { api: { tag: '1.0.0' } }; }, file: 'releases/staging.json', field: '"billing"', allowed: 'is not a platform (platforms: sales-order,' },
  { mistake: 'a release of a platform the environment disables', env: (e) => { e.dev.platforms.toytrex = { enabled: false }; }, file: 'releases/dev.json', field: '"toytrex"', allowed: 'is disabled in environments/dev.ts' },
  { mistake: 'a service without a release', releases: (r) => { delete r.dev['sales-order']['product-service']; }, file: 'releases/dev.json', field: 'service product-service', allowed: 'no release recorded: add "sales-order": { "product-service": { "tag": "…" } }' },
  { mistake: 'a mutable tag in a prod release', releases: (r) => { r.prod['sales-order']['user-service'].tag = 'main-3f2a1c9'; }, file: 'releases/prod.json', field: "image.tag 'main-3f2a1c9' is mutable", allowed: 'a digest or a MAJOR.MINOR.PATCH tag' },
  { mistake: 'a hostname outside the environment\'s domains', env: (e) => { e.prod.platforms.toytrex = { services: { web: { hostnames: ['toytrex.example.org'] } } }; }, args: ['--quiet', '--env', 'prod'], file: 'environments/prod.ts', field: 'hostnames', allowed: 'outside the environment\'s domains (example.com, internal.example.com)' },
  // ---- Cluster facts ------------------------------------------------------------------------------------------
  { mistake: 'a truncated ACM certificate ARN', facts: (f) => { f.dev.certificate_arns.value['*.dev.example.com'] = arn('arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d'); }, file: 'environments/clusters/dev.json', field: 'certificate_arns.*.dev.example.com', allowed: 'expected an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/...)' },
  { mistake: 'a certificate from another region', facts: (f) => { f.dev.certificate_arns.value['*.dev.example.com'] = 'arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-1111-4e5f-8a9b-0c1d2e3f4a5b'; }, file: 'environments/clusters/dev.json', field: 'certificate_arns.*.dev.example.com', allowed: 'only use ACM certificates of their own region' },
  { mistake: 'an IAM user where a role belongs', facts: (f) => { f.dev.service_account_role_arns.value['external-dns'] = 'arn:aws:iam::111111111111:user/dev-external-dns'; }, file: 'environments/clusters/dev.json', field: 'service_account_role_arns.external-dns', allowed: 'is an iam user ARN, expected an IAM role ARN' },
  { mistake: 'a role from another account', facts: (f) => { f.dev.service_account_role_arns.value.karpenter = 'arn:aws:iam::222222222222:role/dev-karpenter'; }, file: 'environments/clusters/dev.json', field: 'service_account_role_arns.karpenter', allowed: "not the cluster's account_id 111111111111" },
  { mistake: 'an ARN of the wrong partition', facts: (f) => { f.dev.service_account_role_arns.value.karpenter = 'arn:aws-cn:iam::111111111111:role/dev-karpenter'; }, file: 'environments/clusters/dev.json', field: 'service_account_role_arns.karpenter', allowed: 'region eu-west-1 is in aws' },
  { mistake: 'a regional IAM ARN', facts: (f) => { f.dev.service_account_role_arns.value.karpenter = 'arn:aws:iam:eu-west-1:111111111111:role/dev-karpenter'; }, file: 'environments/clusters/dev.json', field: 'service_account_role_arns.karpenter', allowed: 'must not name a region (iam is global)' },
  { mistake: 'not an ARN at all', facts: (f) => { f.dev.oidc_provider_arn.value = 'oidc.eks.eu-west-1.amazonaws.com/id/5C1A'; }, file: 'environments/clusters/dev.json', field: 'oidc_provider_arn', allowed: 'must be an ARN: arn:<partition>:<service>' },
  { mistake: 'an OIDC issuer of another region', facts: (f) => { f.dev.oidc_provider_arn.value = 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C1A'; }, file: 'environments/clusters/dev.json', field: 'oidc_provider_arn', allowed: 'not eu-west-1' },
  { mistake: 'an EKS endpoint of another region', facts: (f) => { f.dev.cluster_endpoint.value = 'https://A1B2C3D4E5F6.gr7.us-east-1.eks.amazonaws.com'; }, file: 'environments/clusters/dev.json', field: 'cluster_endpoint', allowed: 'not eu-west-1' },
  { mistake: 'a region in words', facts: (f) => { f.dev.region.value = 'Ireland'; }, file: 'environments/clusters/dev.json', field: 'region', allowed: 'must be an AWS region such as eu-west-1' },
  { mistake: 'an availability zone of another region', facts: (f) => { f.dev.availability_zones.value = ['eu-west-1a', 'eu-central-1b']; }, file: 'environments/clusters/dev.json', field: 'availability_zones.1', allowed: 'is not a zone of region eu-west-1' },
  { mistake: 'facts without the environment they are for', facts: (f) => { delete f.dev.environment; }, file: 'environments/clusters/dev.json', field: 'environment', allowed: 'expected string' },
  { mistake: 'a misspelled fact', facts: (f) => { setFact(f, 'dev', 'cluster_nmae', 'x'); }, file: 'environments/clusters/dev.json', field: "'cluster_nmae'", allowed: "did you mean 'cluster_name'?); allowed: account_id" },
  { mistake: 'a sensitive output', facts: (f) => { f.dev.storage_class.sensitive = true; }, file: 'environments/clusters/dev.json', field: 'storage_class', allowed: 'pass secrets through AWS Secrets Manager' },
  { mistake: 'a certificate for a domain the cluster does not own', facts: (f) => { f.dev.certificate_arns.value['*.example.org'] = f.dev.certificate_arns.value['*.dev.example.com']; }, file: 'environments/clusters/dev.json', field: 'certificate_arns.*.example.org', allowed: 'outside public_domain dev.example.com' },
  { mistake: 'a database port of 0', facts: (f) => { f.dev.database_endpoints.value['toytrex-mariadb'].port = 0; }, file: 'environments/clusters/dev.json', field: 'database_endpoints.toytrex-mariadb.port', allowed: 'must be a port 1–65535' },
  { mistake: 'a facts file in UTF-16', rawFacts: { env: 'dev', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(join(ROOT, 'environments/clusters/dev.json'), 'utf8'), 'utf16le')]) }, file: 'environments/clusters/dev.json', field: 'UTF-16', allowed: 'plain UTF-8 JSON' },
  { mistake: 'a facts file with a byte-order mark', rawFacts: { env: 'dev', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(join(ROOT, 'environments/clusters/dev.json'))]) }, file: 'environments/clusters/dev.json', field: 'byte-order mark', allowed: 'plain UTF-8 JSON' },
  { mistake: 'a facts file that is not JSON', rawFacts: { env: 'dev', bytes: Buffer.from('{ "region": ') }, file: 'environments/clusters/dev.json', field: 'not valid JSON', allowed: 'JSON' },
  // ---- Backups and traces -----------------------------------------------------------------------------------
  { mistake: 'a backup schedule that is not cron', env: (e) => { e.prod.backups.schedule = 'every 6 hours'; }, file: 'environments/prod.ts', field: 'backups.schedule', allowed: 'must be a five-field cron expression' },
  { mistake: 'a backup retention of zero days', env: (e) => { e.staging.backups.retentionDays = 0; }, file: 'environments/staging.ts', field: 'backups.retentionDays', allowed: 'must be ≥ 1 day' },
  { mistake: 'a backup override with a misspelled field', env: (e) => { e.prod.platforms['sales-order'] = { dataStores: { 'customer-mysql': { backup: { scheduel: '0 * * * *' } } } }; }, file: 'environments/prod.ts', field: 'backup', allowed: "did you mean 'schedule'?" },
  {
    mistake: 'backups where the cluster facts have no backup bucket',
    env: (e) => { e.dev.backups = { schedule: '0 3 * * *', retentionDays: 3 }; },
    file: 'environments/clusters/dev.json', field: 'backup_bucket and backup_role_arn', allowed: "add the output(s) to the cluster's Terraform",
  },
  { mistake: 'a backup role in another account', facts: (f) => { f.prod.backup_role_arn.value = 'arn:aws:iam::999999999999:role/prod-data-store-backup'; }, file: 'environments/clusters/prod.json', field: 'backup_role_arn', allowed: "not the cluster's account_id" },
  { mistake: 'traces without an X-Ray role in the cluster facts', facts: (f) => { delete f.dev.xray_role_arn; }, file: 'environments/clusters/dev.json', field: 'xray_role_arn', allowed: "add the output to the cluster's Terraform" },
  { mistake: 'an availability objective of 150%', platforms: demo((p) => { p.metrics = { availabilityObjective: 1.5 }; }), file: CHART, field: 'metrics.availabilityObjective', allowed: 'must be a share between 0 and 1' },
  // ---- Chart props ------------------------------------------------------------------------------------------
  { mistake: "cpu: '1 core' in a chart", platforms: demo((p) => { p.resources.requests.cpu = '1 core'; }), file: CHART, field: 'resources.requests.cpu', allowed: 'must be a CPU quantity' },
  { mistake: "memory: '512mb' in a chart", platforms: demo((p) => { p.resources.limits.memory = '512mb'; }), file: CHART, field: 'resources.limits.memory', allowed: 'binary suffix' },
  { mistake: 'a memory limit below the request in a chart', platforms: demo((p) => { p.resources.limits.memory = '128Mi'; }), file: CHART, field: 'resources.limits.memory', allowed: 'limit 128Mi is below the request 256Mi' },
  { mistake: 'an HPA with minReplicas 10, maxReplicas 3', platforms: demo((p) => { p.scaling = { autoscaling: { minReplicas: 10, maxReplicas: 3, targetCPUUtilizationPercentage: 70 } }; }), file: CHART, field: 'scaling.autoscaling.maxReplicas', allowed: 'must be ≥ minReplicas' },
  { mistake: 'replicas beside autoscaling in a chart', platforms: demo((p) => { p.scaling = { replicas: 3, autoscaling: { minReplicas: 3, maxReplicas: 6, targetCPUUtilizationPercentage: 70 } }; }), file: CHART, field: 'scaling', allowed: 'set exactly one of fixed, replicas, autoscaling' },
  { mistake: 'the old fixed: true', platforms: demo((p) => { p.scaling = { replicas: 1, fixed: true }; }), file: CHART, field: 'scaling.fixed', allowed: 'expected number' },
  { mistake: 'port 0', platforms: demo((p) => { p.port = 0; }), file: CHART, field: 'port', allowed: 'must be a port 1–65535' },
  { mistake: 'port 70000', platforms: demo((p) => { p.extraPorts = [{ name: 'api', port: 70000 }]; }), file: CHART, field: 'extraPorts.0.port', allowed: 'must be a port 1–65535' },
  { mistake: 'two ports named http', platforms: demo((p) => { p.extraPorts = [{ name: 'http', port: 9000 }]; }), file: CHART, field: 'extraPorts.1', allowed: 'port name "http" occurs twice; each must be unique' },
  { mistake: 'two ports on one number', platforms: demo((p) => { p.extraPorts = [{ name: 'admin', port: 8080 }]; }), file: CHART, field: 'extraPorts.1', allowed: 'port 8080 occurs twice' },
  { mistake: "a service named 'Web'", platforms: demo(() => undefined, 'Web'), file: CHART, field: 'name', allowed: 'must be a DNS-1035 label' },
  { mistake: "a service named 'web_app'", platforms: demo(() => undefined, 'web_app'), file: CHART, field: 'name', allowed: 'must be a DNS-1035 label' },
  { mistake: 'a service name of 70 characters', platforms: demo(() => undefined, `a${'b'.repeat(69)}`), file: CHART, field: 'name', allowed: 'at most 63 characters' },
  { mistake: "a service named 'default-deny'", platforms: demo(() => undefined, 'default-deny'), file: CHART, field: 'name', allowed: "'default-deny' is reserved: the render adds the NetworkPolicy" },
  { mistake: "a ConfigMap key 'LOG LEVEL' in a chart", platforms: demo((p) => { p.config = { 'LOG LEVEL': 'info' }; }), file: CHART, field: 'config.LOG LEVEL', allowed: 'must be an environment variable name' },
  { mistake: "a config file named 'nginx conf'", platforms: demo((p) => { p.configFiles = { mountPath: '/etc/nginx', files: { 'nginx conf': '' } }; }), file: CHART, field: 'configFiles.files.nginx conf', allowed: 'must be a ConfigMap key' },
  { mistake: 'a plaintext password in chart config', platforms: demo((p) => { p.config = { DB_PASSWORD: 'hunter2' }; }), file: CHART, field: 'config.DB_PASSWORD', allowed: '`secrets`' },
  { mistake: 'hosts: [] (the Ingress would disappear)', platforms: demo((p) => { p.exposure.hosts = []; }), file: CHART, field: 'exposure.hosts', allowed: 'needs at least one host' },
  { mistake: 'paths: []', platforms: demo((p) => { p.exposure.paths = []; }), file: CHART, field: 'exposure.paths', allowed: "needs at least one path, such as '/'" },
  { mistake: 'a path without a leading slash', platforms: demo((p) => { p.exposure.paths = ['api']; }), file: CHART, field: 'exposure.paths.0', allowed: "must be an HTTP path starting with '/'" },
  { mistake: 'one path twice, once with a trailing slash', platforms: demo((p) => { p.exposure.paths = ['/api/orders', '/api/orders/']; }), file: CHART, field: 'exposure.paths.1', allowed: 'occurs twice' },
  { mistake: 'an unknown exposure type', platforms: demo((p) => { p.exposure = { type: 'ingress', hosts: [] }; }), file: CHART, field: 'exposure', allowed: 'type must be one of internal, nginx-ingress, alb-ingress, load-balancer' },
  { mistake: 'a misspelled optional prop', platforms: demo((p) => { p.healht = { readinessPath: '/ready' }; }), file: CHART, field: "'healht'", allowed: "did you mean 'health'?" },
  { mistake: 'a misspelled nested prop', platforms: demo((p) => { p.health = { readinesPath: '/ready' }; }), file: CHART, field: 'health', allowed: "did you mean 'readinessPath'?" },
  { mistake: 'a root uid', platforms: demo((p) => { p.runAsUser = 0; }), file: CHART, field: 'runAsUser', allowed: 'must be a non-root uid' },
  { mistake: 'an image with its tag in the repository', platforms: demo((p) => { p.image = { repository: 'example.com/demo-api:1.0' }; }), file: CHART, field: 'image.repository', allowed: 'without tag or digest' },
  { mistake: 'a relative writable path', platforms: demo((p) => { p.writablePaths = ['tmp']; }), file: CHART, field: 'writablePaths.0', allowed: 'must be an absolute path' },
  {
    mistake: "storage: '20GB' for a chart's data store",
    platforms: [platform([chartClass('DemoApiChart', 'demo-api', (chart) => new MySql(chart, 'demo-mysql', { database: 'demo', credentialsKey: 'demo/mysql', storage: '20GB' }))])],
    file: CHART, field: 'storage', allowed: 'binary suffix (Mi, Gi, Ti)',
  },
  {
    mistake: 'a misspelled data store prop',
    platforms: [platform([chartClass('DemoApiChart', 'demo-api', (chart) => new MySql(chart, 'demo-mysql', { database: 'demo', credentialsKey: 'demo/mysql', storag: '20Gi' } as Any))])],
    file: CHART, field: "'storag'", allowed: "did you mean 'storage'?",
  },
  {
    mistake: 'two routes for one path on one host (/api/orders and /api/orders/)',
    platforms: [platform([
      chartClass('OrdersChart', 'orders', service('orders', { exposure: { type: 'nginx-ingress', hosts: [{ subdomain: 'demo', zone: 'public' }], paths: ['/api/orders'] } })),
      chartClass('LegacyChart', 'legacy', service('legacy', { exposure: { type: 'nginx-ingress', hosts: [{ subdomain: 'demo', zone: 'public' }], paths: ['/api/orders/'] } })),
    ])],
    file: 'charts/demo/legacy.ts', field: 'path /api/orders/', allowed: 'a trailing slash makes no other route',
  },
  {
    mistake: 'two services creating the same ExternalSecret in one namespace',
    platforms: [platform([
      chartClass('OrdersChart', 'orders', service('orders', { secrets: [{ secretName: 'shared-db', remoteKey: 'demo/db', env: { DB_USER: 'username' } }] })),
      chartClass('BillingChart', 'billing', service('billing', { secrets: [{ secretName: 'shared-db', remoteKey: 'demo/db2', env: { DB_USER: 'username' } }] })),
    ])],
    file: 'charts/demo/billing.ts', field: 'ExternalSecret demo/shared-db', allowed: 'Give one of them another name',
  },
  {
    mistake: 'a TypeError in a chart',
    platforms: [platform([chartClass('BrokenChart', 'broken', (chart) => { (chart as Any).context.settings.services.missing.scaling.replicas; })])],
    file: 'charts/demo/broken.ts', field: 'TypeError', allowed: 'mistake in the code of the chart',
  },
  // ---- The command line ---------------------------------------------------------------------------------------
  { mistake: '--env without a value', args: ['--env'], exit: 2, file: 'npm run synth', field: '--env', allowed: 'needs a value' },
  { mistake: 'npm run synth prod (without --)', args: ['prod'], exit: 2, file: 'npm run synth', field: "'prod'", allowed: 'npm run synth -- --env prod' },
  { mistake: 'an unknown flag', args: ['--enviroment', 'prod'], exit: 2, file: 'npm run synth', field: "'--enviroment'", allowed: 'the options are --env/-e <name>' },
  { mistake: 'an unknown environment', args: ['--env', 'qa'], file: 'environments/qa.ts', field: '--env', allowed: 'environments: dev, staging, prod' },
  { mistake: 'npm run synth --env prod (npm takes --env)', npmEnv: 'prod', args: [], exit: 2, file: 'npm run synth', field: '--env prod', allowed: 'npm run synth -- --env prod' },
  { mistake: 'running from another directory', cwd: join(ROOT, 'environments'), exit: 2, file: `${join(ROOT, 'environments')}`, field: 'repository root', allowed: 'the folder with package.json' },
];

describe('every invalid configuration is refused; dist/ and argocd/ stay byte-identical', () => {
  let scratch: string;
  let before: { dist: Map<string, string>; argocd: Map<string, string>; docs: Map<string, string> };
  const facts: Facts = {};

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'bad-input-'));
    // The committed argocd/ and docs/, and of dist/ one platform per environment: the trees are read after every
    // case. A write of any other file, or of one of these with other bytes, shows in these trees as in the whole
    // output; only rewriting a file with the bytes it already had would not, in either.
    const somePlatforms = (source: string) => !/^dist\/[^/]+\/(?!sales-order$)[^/]+$/.test(relative(ROOT, source));
    for (const folder of ['dist', 'argocd', 'docs']) cpSync(join(ROOT, folder), join(scratch, folder), { recursive: true, filter: somePlatforms });
    before = { dist: snapshotTree(join(scratch, 'dist')), argocd: snapshotTree(join(scratch, 'argocd')), docs: snapshotTree(join(scratch, 'docs')) };
    expect(new Set([...before.dist.keys()].map((f) => f.split('/').slice(0, 2).join('/')))).toEqual(new Set(['dev/sales-order', 'staging/sales-order', 'prod/sales-order']));
    for (const env of ['dev', 'staging', 'prod']) facts[env] = JSON.parse(readFileSync(join(ROOT, 'environments', 'clusters', `${env}.json`), 'utf8'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('the table covers at least 60 mistakes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.mistake)).size).toBe(cases.length);
  });

  test.each(cases)('$mistake', (c) => {
    const sources: EnvironmentSource[] = ENVIRONMENT_SOURCES.map((s) => ({ file: s.file, input: structuredClone(s.input) }));
    c.env?.(Object.fromEntries(sources.map((s) => [s.file.replace(/^environments\/|\.ts$/g, ''), s.input])));
    // A chart mistake renders the demo platform alone, in prod.
    if (c.platforms) for (const s of sources) (s.input as Any).platforms = {};
    // The facts live in a scratch environments/ folder; the messages name them relative to the working directory.
    const factsDir = join(scratch, 'environments');
    rmSync(factsDir, { recursive: true, force: true });
    cpSync(join(ROOT, 'environments', 'clusters'), join(factsDir, 'clusters'), { recursive: true });
    if (c.facts) {
      const changed: Facts = structuredClone(facts);
      c.facts(changed);
      for (const [env, doc] of Object.entries(changed)) writeFileSync(join(factsDir, 'clusters', `${env}.json`), `${JSON.stringify(doc, null, 2)}\n`);
    }
    if (c.rawFacts) writeFileSync(join(factsDir, 'clusters', `${c.rawFacts.env}.json`), c.rawFacts.bytes);

    let stderr = '';
    const code = runSynth([...(c.args ?? (c.platforms ? ['--quiet', '--env', 'prod'] : ['--quiet'])), '--out', join(scratch, 'dist'), '--argocd-out', join(scratch, 'argocd'), '--docs-out', join(scratch, 'docs')], {
      cwd: c.cwd ?? ROOT,
      env: c.npmEnv ? { npm_config_env: c.npmEnv } : {},
      environmentSources: sources,
      factsDir,
      platforms: c.platforms ?? PLATFORMS,
      // A chart mistake renders the demo platform alone: the committed releases name platforms it does not have.
      releases: c.platforms ? new Map(['dev', 'staging', 'prod'].map((e) => [e, {}])) : c.releases ? changedReleases(c.releases) : undefined,
      stdout: () => undefined,
      stderr: (t) => { stderr += `${t}\n`; },
    });
    // The message names the facts as environments/clusters/<env>.json whatever folder holds them here.
    const message = stderr.split(join(scratch, 'environments')).join('environments');
    expect({ code, message }).toEqual({ code: c.exit ?? 1, message: expect.stringContaining(c.file) });
    expect(message).toContain(c.field);
    if (typeof c.allowed === 'string') expect(message).toContain(c.allowed);
    else expect(message).toMatch(c.allowed);
    expect(message).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(snapshotTree(join(scratch, 'dist'))).toEqual(before.dist);
    expect(snapshotTree(join(scratch, 'argocd'))).toEqual(before.argocd);
    expect(snapshotTree(join(scratch, 'docs'))).toEqual(before.docs);
  });

  test('environments may share a cluster and a domain when they say so', () => {
    // A render that succeeds: into a whole copy of the committed output, which it must leave as it is.
    const output = join(scratch, 'whole');
    for (const folder of ['dist', 'argocd', 'docs']) cpSync(join(ROOT, folder), join(output, folder), { recursive: true });
    const whole = { dist: snapshotTree(join(output, 'dist')), docs: snapshotTree(join(output, 'docs')) };
    const sources: EnvironmentSource[] = ENVIRONMENT_SOURCES.map((s) => ({ file: s.file, input: structuredClone(s.input) }));
    const staging = sources.find((s) => s.input.name === 'staging')!.input as Any;
    staging.sharesWith = { cluster: ['dev'] };
    const factsDir = join(scratch, 'shared-facts');
    cpSync(join(ROOT, 'environments', 'clusters'), join(factsDir, 'clusters'), { recursive: true });
    const changed = structuredClone(facts);
    changed.staging.cluster_endpoint = changed.dev.cluster_endpoint;
    writeFileSync(join(factsDir, 'clusters', 'staging.json'), JSON.stringify(changed.staging));
    let stderr = '';
    const code = runSynth(['--quiet', '--out', join(output, 'dist'), '--argocd-out', join(output, 'argocd'), '--docs-out', join(output, 'docs')], {
      cwd: ROOT, env: {}, environmentSources: sources, factsDir, stderr: (t) => { stderr += t; },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(snapshotTree(join(output, 'dist'))).toEqual(whole.dist);
    expect(snapshotTree(join(output, 'docs'))).toEqual(whole.docs);
  });
});

describe('end to end: the real CLI', () => {
  let ws: Workspace;
  let before: Map<string, string>;
  beforeAll(() => {
    ws = new Workspace();
    before = new Map([...snapshotTree(join(ws.dir, 'dist'))].map(([k, v]) => [`dist/${k}`, v]));
    for (const [k, v] of snapshotTree(join(ws.dir, 'argocd'))) before.set(`argocd/${k}`, v);
    for (const [k, v] of snapshotTree(join(ws.dir, 'docs'))) before.set(`docs/${k}`, v);
  });
  afterAll(() => ws.remove());
  const tree = () => {
    const now = new Map([...snapshotTree(join(ws.dir, 'dist'))].map(([k, v]) => [`dist/${k}`, v]));
    for (const [k, v] of snapshotTree(join(ws.dir, 'argocd'))) now.set(`argocd/${k}`, v);
    for (const [k, v] of snapshotTree(join(ws.dir, 'docs'))) now.set(`docs/${k}`, v);
    return now;
  };

  test('a bad value in a real chart file names that file, exits 1, leaves the output untouched', () => {
    ws.edit('charts/sales-order/customer-service.ts', (s) => s.replace("requests: { cpu: '250m', memory: '768Mi' }", "requests: { cpu: '1 core', memory: '768Mi' }"));
    const result = ws.synthCli();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('synth failed, dist/ and argocd/ left unchanged');
    expect(result.stderr).toContain('service customer-service (platform sales-order): charts/sales-order/customer-service.ts: invalid props:');
    expect(result.stderr).toContain("resources.requests.cpu: must be a CPU quantity: millicores such as 250m, or cores such as 1 or 1.5 (got \"1 core\")");
    expect(tree()).toEqual(before);
  });

  test('a syntax error in a chart names the file, line and column, exits 1, no stack trace', () => {
    ws.edit('charts/storefront/web.ts', (s) => s.replace("component: 'frontend',", "component: 'frontend',,"));
    const result = ws.synthCli();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/synth: cannot compile the code, nothing was changed:\n  charts\/storefront\/web\.ts:\d+:\d+: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(tree()).toEqual(before);
  });
});
