import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { MySql } from '../../lib/mysql';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { salesOrderHost, springBootHealth, springBootMetrics } from './shared';

/** customer-service: three replicas in front of a MySQL singleton that only it may reach. */
export class CustomerServiceChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'customer-service', context);
    const credentialsKey = 'sales-order/customer-mysql';
    const mysql = new MySql(this, 'customer-mysql', { database: 'customers', credentialsKey, storage: '20Gi' });
    new Microservice(this, 'customer-service', {
      image: { repository: ecrRepository(this.env.cluster, 'sales-order/customer-service') },
      scaling: { autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 } },
      resources: { requests: { cpu: '250m', memory: '768Mi' }, limits: { memory: '768Mi' } },
      health: springBootHealth,
      config: {
        SPRING_PROFILES_ACTIVE: 'kubernetes',
        SPRING_DATASOURCE_URL: `jdbc:mysql://${mysql.name}:${MySql.PORT}/customers`,
        JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75',
      },
      secrets: [{ secretName: 'customer-service-db', remoteKey: credentialsKey, env: { SPRING_DATASOURCE_USERNAME: 'username', SPRING_DATASOURCE_PASSWORD: 'password' } }],
      dependsOn: [{ target: mysql.name }],
      exposure: { type: 'nginx-ingress', hosts: [salesOrderHost], paths: ['/api/customers'] },
      metrics: springBootMetrics,
    });
  }
}
