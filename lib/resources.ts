import { k8s } from './k8s';
import type { Resources } from '../environments/schema';

export type { Resources };

/** Requests and limits as the Kubernetes API wants them. */
export function toResourceRequirements(resources: Resources): k8s.ResourceRequirements {
  const limits: Record<string, k8s.Quantity> = { memory: k8s.Quantity.fromString(resources.limits.memory) };
  if (resources.limits.cpu) limits.cpu = k8s.Quantity.fromString(resources.limits.cpu);
  return {
    requests: {
      cpu: k8s.Quantity.fromString(resources.requests.cpu),
      memory: k8s.Quantity.fromString(resources.requests.memory),
    },
    limits,
  };
}
