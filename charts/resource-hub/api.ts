import { Construct } from 'constructs';
import { ExternalDatabase } from '../../lib/external-database';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { Postgres } from '../../lib/postgres';

/** The database's name in every environment: the StatefulSet's Service or the ExternalName Service to RDS. */
export const DATABASE = 'resource-hub-postgres';

/**
 * api: the stateless Resource Hub API. Its PostgreSQL is self-hosted (a StatefulSet on EBS) unless the
 * environment sets `dataStores.resource-hub-postgres.external` to a key of the cluster facts'
 * `database_endpoints` (Amazon RDS). On RDS the API connects to the endpoint with `sslmode=verify-full`
 * against the RDS CA bundle; the credentials come from the same secret in AWS Secrets Manager either way. The pods assume the `resource-hub-api` IAM
 * role (IRSA) for the AWS APIs they call.
 */
export class ApiChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'api', context);
    const credentialsKey = 'resource-hub/postgres';
    const external = context.dataStoreOverride(DATABASE).external;
    const database = external
      ? new ExternalDatabase(this, DATABASE, { endpoint: external, engine: 'postgres' })
      : new Postgres(this, DATABASE, { database: 'resourcehub', credentialsKey, storage: '20Gi' });
    const port = database instanceof ExternalDatabase ? database.port : Postgres.PORT;
    // RDS: TLS, verifying the server's certificate and its name (the endpoint's, not the alias's) against the
    // RDS CAs. The self-hosted StatefulSet serves no TLS (in-cluster, reachable only by the api's
    // NetworkPolicy), so its clients say so rather than "prefer" a TLS that is never there.
    const tls: Record<string, string> = database instanceof ExternalDatabase
      ? { DATABASE_HOST: database.host, DATABASE_SSLMODE: 'verify-full', DATABASE_SSLROOTCERT: database.caBundle.file }
      : { DATABASE_HOST: database.name, DATABASE_SSLMODE: 'disable' };

    new Microservice(this, 'api', {
      image: { repository: ecrRepository(this.env.cluster, 'resource-hub/api') },
      scaling: { autoscaling: { minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } },
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } },
      health: { readinessPath: '/health/ready', livenessPath: '/health/live', startupTimeoutSeconds: 90 },
      config: {
        API_BASE_URL: `https://resources.${this.env.cluster.public_domain}/api`,
        AWS_REGION: this.env.cluster.region,
        ...tls,
        DATABASE_NAME: 'resourcehub',
        DATABASE_PORT: String(port),
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      caBundles: database instanceof ExternalDatabase ? [database.caBundle] : [],
      secrets: [{ secretName: 'api-db', remoteKey: credentialsKey, env: { DATABASE_USER: 'username', DATABASE_PASSWORD: 'password' } }],
      dependsOn: [{ target: database.name }],
      awsRole: 'resource-hub-api',
      traces: true,
      metrics: { port: 9090, path: '/metrics' },
    });
  }
}
