import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { salesOrderHost, springBootHealth, springBootMetrics } from './shared';

/**
 * user-service keeps its users in an embedded in-memory H2 database: a second replica would hold different
 * data, so it runs exactly one pod, is never autoscaled and is recreated (not surged) on update.
 */
export class UserServiceChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'user-service', context);
    new Microservice(this, 'user-service', {
      image: { repository: ecrRepository(this.env.cluster, 'sales-order/user-service') },
      scaling: { fixed: 1 },
      resources: { requests: { cpu: '250m', memory: '768Mi' }, limits: { memory: '768Mi' } },
      health: springBootHealth,
      config: {
        SPRING_PROFILES_ACTIVE: 'kubernetes',
        SPRING_DATASOURCE_URL: 'jdbc:h2:mem:users',
        JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75',
      },
      exposure: { type: 'nginx-ingress', hosts: [salesOrderHost], paths: ['/api/users'] },
      metrics: springBootMetrics,
    });
  }
}
