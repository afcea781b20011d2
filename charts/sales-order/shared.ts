import type { HostName } from '../../lib/exposure';
import type { HttpHealthChecks } from '../../lib/probes';

/** Every sales-order service is Spring Boot 3 with actuator health groups; a JVM may need a minute to start. */
export const springBootHealth: HttpHealthChecks = {
  readinessPath: '/actuator/health/readiness',
  livenessPath: '/actuator/health/liveness',
  startupTimeoutSeconds: 180,
};

/** The NGINX Ingress host all sales-order services share, routed by path. */
export const salesOrderHost: HostName = { subdomain: 'sales', zone: 'public' };

export const PLATFORM = 'sales-order';
