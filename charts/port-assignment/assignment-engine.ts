import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';
import { portAssignmentHealth } from './shared';

/**
 * assignment-engine: computes port assignments for the backend. It is internal: the construct refuses any
 * internet-facing hostname for it; operators inside the VPC reach it on `assignments.<private domain>`
 * through the internal ALB, with a record in the private zone only.
 */
export class AssignmentEngineChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'assignment-engine', context);
    new Microservice(this, 'assignment-engine', {
      image: { repository: ecrRepository(this.env.cluster, 'port-assignment/assignment-engine') },
      component: 'worker',
      internal: true,
      scaling: { autoscaling: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 75 } },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      health: portAssignmentHealth,
      config: { LOG_LEVEL: 'info' },
      exposure: { type: 'alb-ingress', hosts: [{ subdomain: 'assignments', zone: 'private' }] },
      metrics: { port: 9090, path: '/metrics' },
    });
  }
}
