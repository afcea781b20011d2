import { Construct } from 'constructs';
import { ExternalDatabase } from '../../lib/external-database';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { toytrexHealth } from './shared';

/**
 * middleware: three replicas behind a ClusterIP Service, the only tier that reaches the database: an Amazon
 * RDS MariaDB instance, addressed as `toytrex-mariadb` through an ExternalName Service.
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
        DB_HOST: mariadb.name,
        DB_NAME: 'toytrex',
        DB_PORT: String(mariadb.port),
        LOG_LEVEL: 'info',
      },
      secrets: [{ secretName: 'middleware-db', remoteKey: 'toytrex/mariadb', env: { DB_USER: 'username', DB_PASSWORD: 'password' } }],
      dependsOn: [{ target: mariadb.name }],
      metrics: { path: '/metrics' },
    });
  }
}
