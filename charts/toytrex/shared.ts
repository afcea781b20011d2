import type { HttpHealthChecks } from '../../lib/probes';

/** Both tiers answer the same health endpoints; readiness fails while a tier cannot reach the next one. */
export const toytrexHealth: HttpHealthChecks = {
  readinessPath: '/health/ready',
  livenessPath: '/health/live',
  startupTimeoutSeconds: 90,
};
