import type { k8s } from './k8s';

/**
 * How a pod behind an AWS load balancer (ALB or NLB, through the AWS Load Balancer Controller) leaves without
 * dropping a request. When the pod is deleted, the controller deregisters its target; the load balancer stops
 * sending new requests a few seconds later and lets requests in flight finish for the target group's
 * deregistration delay. Meanwhile the pod must go on serving: its `preStop` hook sleeps past the delay (plus
 * the time the controller takes to notice), only then does the container get SIGTERM, with time left to shut
 * down before the grace period ends. The three numbers are derived from each other here, so they agree.
 */
export interface ConnectionDraining {
  /** `deregistration_delay.timeout_seconds` of the target group, set explicitly (AWS's default is 300). */
  readonly deregistrationDelaySeconds: number;
  /** The preStop sleep: the delay plus the controller's reaction time. */
  readonly preStopSeconds: number;
  /** `terminationGracePeriodSeconds`: the sleep plus the application's own shutdown. */
  readonly terminationGracePeriodSeconds: number;
}

/** Seconds between the pod's deletion and the controller's DeregisterTargets call, with room to spare. */
const CONTROLLER_REACTION_SECONDS = 10;
/** Seconds the application gets after SIGTERM to finish and close its pools. */
const APPLICATION_SHUTDOWN_SECONDS = 20;

export function connectionDraining(deregistrationDelaySeconds: number): ConnectionDraining {
  const preStopSeconds = deregistrationDelaySeconds + CONTROLLER_REACTION_SECONDS;
  return { deregistrationDelaySeconds, preStopSeconds, terminationGracePeriodSeconds: preStopSeconds + APPLICATION_SHUTDOWN_SECONDS };
}

/** Every workload behind an AWS load balancer: a 30 s deregistration delay, 40 s preStop, 60 s grace. */
export const AWS_LOAD_BALANCER_DRAINING = connectionDraining(30);

/**
 * Namespace label that makes the AWS Load Balancer Controller inject a readiness gate into every pod that is an
 * IP target: a new pod counts as ready only once its target is healthy in the target group, so a rolling
 * update never removes an old pod before its replacement receives traffic.
 */
export const READINESS_GATE_INJECT_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

/** The container's preStop hook: sleep, so the container keeps serving while its target drains. */
export function preStopSleep(draining: ConnectionDraining): k8s.Lifecycle {
  return { preStop: { exec: { command: ['sleep', String(draining.preStopSeconds)] } } };
}

/** The target group attributes the controller sets on the ALB's or NLB's target group. */
export function targetGroupAttributes(draining: ConnectionDraining, nlb: boolean): string {
  return [
    `deregistration_delay.timeout_seconds=${draining.deregistrationDelaySeconds}`,
    // An NLB keeps established connections open after the delay unless told otherwise; close them before the
    // container stops rather than let them hang on a dead target.
    ...(nlb ? ['deregistration_delay.connection_termination.enabled=true'] : []),
  ].join(',');
}
