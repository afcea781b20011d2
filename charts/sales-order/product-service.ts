import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { Redis } from '../../lib/redis';
import { salesOrderHost, springBootHealth, springBootMetrics } from './shared';

/** product-service: three replicas on Redis (a primary, two replicas, Sentinel failover); it finds the primary through the Sentinels. */
export class ProductServiceChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'product-service', context);
    const credentialsKey = 'sales-order/product-redis';
    const redis = new Redis(this, 'product-redis', { credentialsKey, replicas: 3, storage: '5Gi' });
    new Microservice(this, 'product-service', {
      image: { repository: ecrRepository(this.env.cluster, 'sales-order/product-service') },
      scaling: { autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 } },
      resources: { requests: { cpu: '250m', memory: '768Mi' }, limits: { memory: '768Mi' } },
      health: springBootHealth,
      config: {
        SPRING_PROFILES_ACTIVE: 'kubernetes',
        // Through the Sentinels: after a failover the client follows the new primary.
        SPRING_DATA_REDIS_SENTINEL_MASTER: Redis.MASTER_SET,
        SPRING_DATA_REDIS_SENTINEL_NODES: redis.sentinelNodes,
        JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75',
      },
      secrets: [{ secretName: 'product-service-redis', remoteKey: credentialsKey, env: { SPRING_DATA_REDIS_PASSWORD: 'password', SPRING_DATA_REDIS_SENTINEL_PASSWORD: 'password' } }],
      dependsOn: [{ target: redis.name }],
      exposure: { type: 'nginx-ingress', hosts: [salesOrderHost], paths: ['/api/products'] },
      metrics: springBootMetrics,
    });
  }
}
