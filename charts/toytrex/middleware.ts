import { Construct } from 'constructs';
import { ExternalDatabase } from '../../lib/external-database';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { toytrexHealth } from './shared';

/**
 * middleware: three replicas behind a ClusterIP Service, the only tier that reaches the database: an Amazon
 * RDS MariaDB instance (the ExternalName Service `toytrex-mariadb` in the model), reached over TLS that verifies
 * the endpoint against the RDS CA bundle.
 */
export class MiddlewareChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'middleware', context);
    const mariadb = new ExternalDatabase(this, 'toytrex-mariadb', { endpoint: 'toytrex-mariadb', engine: 'mariadb' });
    new Microservice(this, 'middleware', {
      image: { repository: ecrRepository(this.env.cluster, 'toytrex/middleware') },
      scaling: { autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 } },
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } },
      health: toytrexHealth,
      config: {
        // TLS to RDS, verifying the certificate and the endpoint's name against the RDS CA bundle.
        DB_HOST: mariadb.host,
        DB_NAME: 'toytrex',
        DB_PORT: String(mariadb.port),
        DB_SSL_CA: mariadb.caBundle.file,
        DB_SSL_MODE: 'VERIFY_IDENTITY',
        LOG_LEVEL: 'info',
      },
      caBundles: [mariadb.caBundle],
      secrets: [{ secretName: 'middleware-db', remoteKey: 'toytrex/mariadb', env: { DB_USER: 'username', DB_PASSWORD: 'password' } }],
      dependsOn: [{ target: mariadb.name }],
      metrics: { path: '/metrics' },
    });
  }
}
