import type { HostName } from '../../lib/exposure';
import { SPRING_BOOT_HTTP_METRICS } from '../../lib/http-metrics';
import type { HttpHealthChecks } from '../../lib/probes';

/** Every sales-order service is Spring Boot 3 with actuator health groups; a JVM may need a minute to start. */
export const springBootHealth: HttpHealthChecks = {
  readinessPath: '/actuator/health/readiness',
  livenessPath: '/actuator/health/liveness',
  startupTimeoutSeconds: 180,
};

/** Micrometer's Prometheus endpoint, with HTTP request metrics (error-budget alerts, dashboard panels). */
export const springBootMetrics = { path: '/actuator/prometheus', http: SPRING_BOOT_HTTP_METRICS };

/** The NGINX Ingress host all sales-order services share, routed by path. */
export const salesOrderHost: HostName = { subdomain: 'sales', zone: 'public' };

export const PLATFORM = 'sales-order';
