import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { toytrexHealth } from './shared';

/**
 * web: three replicas behind a NodePort Service; the environment's internet-facing ALB targets the nodes
 * (instance target type) and terminates TLS on 443 with the ACM certificate. external-dns points
 * `toytrex.<public domain>` at it. It calls the middleware through its ClusterIP Service.
 */
export class WebChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'web', context);
    new Microservice(this, 'web', {
      image: { repository: ecrRepository(this.env.cluster, 'toytrex/web') },
      component: 'frontend',
      scaling: { autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 } },
      resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '256Mi' } },
      health: toytrexHealth,
      config: { MIDDLEWARE_URL: 'http://middleware', LOG_LEVEL: 'info' },
      dependsOn: [{ target: 'middleware', ports: ['http'] }],
      nodePort: true,
      exposure: { type: 'alb-ingress', hosts: [{ subdomain: 'toytrex', zone: 'public' }] },
      metrics: { path: '/metrics' },
    });
  }
}
