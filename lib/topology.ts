import type { k8s } from './k8s';

/**
 * Spread a workload's pods over zones and nodes. Deployments only prefer the spread (ScheduleAnyway), so a
 * zone outage or a full node never blocks scheduling; replicated data stores require it across zones,
 * because two members in one zone would lose quorum together.
 */
export function podSpreadConstraints(selector: Record<string, string>, rollingDeployment: boolean, requireZones = false): k8s.TopologySpreadConstraint[] {
  const common = {
    maxSkew: 1,
    labelSelector: { matchLabels: selector },
    // Count only the pods of the current ReplicaSet, so a rolling update is not skewed by the old one.
    ...(rollingDeployment ? { matchLabelKeys: ['pod-template-hash'] } : {}),
  };
  return [
    { ...common, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: requireZones ? 'DoNotSchedule' : 'ScheduleAnyway' },
    { ...common, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
  ];
}
