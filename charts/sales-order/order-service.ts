import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { MongoDb } from '../../lib/mongodb';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { salesOrderHost, springBootHealth, springBootMetrics } from './shared';

/** order-service: three replicas on a three-member MongoDB replica set; it checks customers and products. */
export class OrderServiceChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'order-service', context);
    const credentialsKey = 'sales-order/order-mongodb';
    const mongo = new MongoDb(this, 'order-mongodb', { credentialsKey, appDatabase: 'orders', members: 3, storage: '20Gi' });
    new Microservice(this, 'order-service', {
      image: { repository: ecrRepository(this.env.cluster, 'sales-order/order-service') },
      scaling: { autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 } },
      resources: { requests: { cpu: '250m', memory: '768Mi' }, limits: { memory: '768Mi' } },
      health: springBootHealth,
      config: {
        SPRING_PROFILES_ACTIVE: 'kubernetes',
        MONGODB_HOSTS: mongo.seedList,
        MONGODB_REPLICA_SET: MongoDb.REPLICA_SET,
        MONGODB_DATABASE: 'orders',
        CUSTOMER_SERVICE_URL: 'http://customer-service',
        PRODUCT_SERVICE_URL: 'http://product-service',
        JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75',
      },
      secrets: [{ secretName: 'order-service-db', remoteKey: credentialsKey, env: { MONGODB_USERNAME: 'app-username', MONGODB_PASSWORD: 'app-password' } }],
      dependsOn: [{ target: mongo.name }, { target: 'customer-service' }, { target: 'product-service' }],
      exposure: { type: 'nginx-ingress', hosts: [salesOrderHost], paths: ['/api/orders'] },
      metrics: springBootMetrics,
    });
  }
}
