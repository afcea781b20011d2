/**
 * How voluntary disruptions (node drains, Karpenter consolidation) treat a workload's pods.
 */

/**
 * Pod annotation that stops Karpenter from consolidating the pod's node, or replacing it for drift, while the
 * pod runs. For singletons whose state a move would lose or interrupt (an in-memory database, one member on a
 * zonal volume); it does not stop expiry (`expireAfter`), node repair or an interruption. docs/runtime.md
 * says what it costs.
 */
export const DO_NOT_DISRUPT: Readonly<Record<string, string>> = { 'karpenter.sh/do-not-disrupt': 'true' };


/**
 * `unhealthyPodEvictionPolicy` of every PodDisruptionBudget: a pod that is not Ready (crash-looping, stuck
 * starting) may always be evicted. With the default (`IfHealthyBudget`) such a pod uses up the budget and
 * blocks every node drain until someone deletes it by hand.
 */
export const UNHEALTHY_POD_EVICTION = 'AlwaysAllow';
