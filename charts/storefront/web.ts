import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { ecrRepository } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';

/**
 * web: the storefront application. Two replicas, so one survives when the other falls; rolling updates never
 * take a pod away before its replacement is ready (maxUnavailable 0), and Argo CD rolls back to a previous
 * commit. A Network Load Balancer opens 80 (plain HTTP), 443 (TLS terminated with the ACM certificate) and
 * 5000 (the API); each plain port says why it is plain. external-dns points `shop.<public domain>` at it.
 */
export class WebChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'web', context);
    new Microservice(this, 'web', {
      image: { repository: ecrRepository(this.env.cluster, 'storefront/web') },
      component: 'frontend',
      port: 8080,
      extraPorts: [{ name: 'api', port: 5000 }],
      scaling: { replicas: 2 },
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } },
      health: { readinessPath: '/health/ready', livenessPath: '/health/live', startupTimeoutSeconds: 60 },
      config: { API_PORT: '5000', HTTP_PORT: '8080', LOG_LEVEL: 'info' },
      exposure: {
        type: 'load-balancer',
        hosts: [{ subdomain: 'shop', zone: 'public' }],
        ports: [
          {
            name: 'http', port: 80, targetPort: 'http',
            plaintext: 'storefront serves plain HTTP on 80 beside HTTPS on 443 by design (platforms.md); an NLB forwards TCP and cannot redirect, so sending browsers on to 443 is the application\'s job',
          },
          { name: 'https', port: 443, targetPort: 'http', tls: true },
          {
            name: 'api', port: 5000, targetPort: 'api',
            plaintext: 'the API port 5000 is plain TCP by storefront\'s design (platforms.md) and its callers do not use TLS on it; switch it to tls: true together with them',
          },
        ],
      },
      metrics: { path: '/metrics' },
    });
  }
}
