import type { HttpHealthChecks } from '../../lib/probes';

/** Both port-assignment services serve the same health endpoints and start within a minute. */
export const portAssignmentHealth: HttpHealthChecks = {
  readinessPath: '/healthz/ready',
  livenessPath: '/healthz/live',
  startupTimeoutSeconds: 60,
};
