import { k8s } from './k8s';

/** HTTP health endpoints of a service; the three probes are built from them. */
export interface HttpHealthChecks {
  /** Path that answers 200 once the service can take traffic. @default '/health/ready' */
  readonly readinessPath?: string;
  /** Path that answers 200 while the process is healthy. @default '/health/live' */
  readonly livenessPath?: string;
  /**
   * Longest time the service may take to start before it is restarted. Liveness only starts counting after
   * the startup probe succeeded, so a JVM that needs a minute to start is never killed while it boots.
   * @default 180
   */
  readonly startupTimeoutSeconds?: number;
}

const STARTUP_PERIOD_SECONDS = 5;

export interface ResolvedProbes {
  readonly readiness: k8s.Probe;
  readonly liveness: k8s.Probe;
  readonly startup: k8s.Probe;
  readonly readinessPath: string;
}

/** Readiness, liveness and startup probes on the named container port. */
export function httpProbes(checks: HttpHealthChecks = {}, port: string = 'http'): ResolvedProbes {
  const readinessPath = checks.readinessPath ?? '/health/ready';
  const livenessPath = checks.livenessPath ?? '/health/live';
  const startupTimeout = checks.startupTimeoutSeconds ?? 180;
  const httpGet = (path: string): k8s.HttpGetAction => ({ path, port: k8s.IntOrString.fromString(port), scheme: 'HTTP' });
  return {
    readinessPath,
    readiness: { httpGet: httpGet(readinessPath), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    liveness: { httpGet: httpGet(livenessPath), periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, successThreshold: 1 },
    startup: {
      httpGet: httpGet(livenessPath),
      periodSeconds: STARTUP_PERIOD_SECONDS,
      timeoutSeconds: 2,
      failureThreshold: Math.ceil(startupTimeout / STARTUP_PERIOD_SECONDS),
      successThreshold: 1,
    },
  };
}

/** Probes that run a command in the container (data stores without an HTTP endpoint). */
export function execProbes(readiness: string[], liveness: string[], startupTimeoutSeconds = 300): Omit<ResolvedProbes, 'readinessPath'> {
  return {
    readiness: { exec: { command: readiness }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 },
    liveness: { exec: { command: liveness }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6, successThreshold: 1 },
    startup: {
      exec: { command: liveness },
      periodSeconds: STARTUP_PERIOD_SECONDS,
      timeoutSeconds: 5,
      failureThreshold: Math.ceil(startupTimeoutSeconds / STARTUP_PERIOD_SECONDS),
      successThreshold: 1,
    },
  };
}
