import { MANAGED_BY } from '../labels';
import { SECRETS_LABEL } from '../platform-namespace';
import type { KubeObject } from '../kube-object';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** Why a namespace is not `restricted`; shown on the Namespace, so a reviewer sees it where it applies. */
export const POD_SECURITY_REASON_ANNOTATION = 'platform-manifests.io/pod-security-reason';

/**
 * The Namespace of an add-on, labelled for Pod Security admission like the platforms' namespaces. A level
 * below `restricted` needs a reason (node exporter's host namespaces, Fluent Bit's host paths).
 */
export function addonNamespace(name: string, addon: string, level: PodSecurityLevel, reason?: string, externalSecrets = false, readinessGates = false): KubeObject {
  if (level !== 'restricted' && !reason) throw new Error(`namespace ${name} of ${addon}: Pod Security level ${level} needs a reason`);
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'app.kubernetes.io/managed-by': MANAGED_BY,
        'app.kubernetes.io/part-of': addon,
        'kubernetes.io/metadata.name': name,
        'pod-security.kubernetes.io/audit': level,
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': level,
        ...(externalSecrets ? { [SECRETS_LABEL]: 'enabled' } : {}),
        // Pods that are IP targets of a load balancer get the controller's readiness gate: a rollout waits until
        // the new pods are registered before old ones go.
        ...(readinessGates ? { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } : {}),
      },
      ...(reason ? { annotations: { [POD_SECURITY_REASON_ANNOTATION]: reason } } : {}),
    },
  };
}
