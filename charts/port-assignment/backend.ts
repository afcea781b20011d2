import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { portAssignmentHealth } from './shared';

/**
 * backend: the service the POC exposed through a default load balancer, now behind the environment's shared
 * ALBs with TLS terminated there (ACM): `ports.<public domain>` on the internet-facing one for customers,
 * `ports.<private domain>` on the internal one for callers inside the VPC. It hands work to the engine.
 */
export class BackendChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'backend', context);
    new Microservice(this, 'backend', {
      image: { repository: ecrRepository(this.env.cluster, 'port-assignment/backend') },
      scaling: { autoscaling: { minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 70 } },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      health: portAssignmentHealth,
      config: { ASSIGNMENT_ENGINE_URL: 'http://assignment-engine', LOG_LEVEL: 'info' },
      secrets: [{ secretName: 'backend-api-keys', remoteKey: 'port-assignment/backend', env: { API_SIGNING_KEY: 'signing-key' } }],
      dependsOn: [{ target: 'assignment-engine' }],
      exposure: {
        type: 'alb-ingress',
        hosts: [{ subdomain: 'ports', zone: 'public' }, { subdomain: 'ports', zone: 'private' }],
      },
      metrics: { port: 9090, path: '/metrics' },
    });
  }
}
