import { k8s } from './k8s';
import { Construct } from 'constructs';
import type { Quota } from '../environments/schema';
import { READINESS_GATE_INJECT_LABEL } from './connection-draining';
import { MANAGED_BY } from './labels';

export interface PlatformNamespaceProps {
  readonly name: string;
  readonly quota: Quota;
  /**
   * Pods of the namespace are IP targets of AWS load balancers: the AWS Load Balancer Controller injects its
   * readiness gate into them. Only then, since the controller's webhook must answer for every pod created in
   * a labelled namespace. @default false
   */
  readonly loadBalancerReadinessGates?: boolean;
  /** Pod Security Standard enforced on the namespace. @default 'restricted' */
  readonly podSecurity?: 'restricted' | 'baseline';
}

/** Label that lets the ClusterSecretStores serve a namespace. */
export const SECRETS_LABEL = 'platform-manifests/external-secrets';

/**
 * Argo CD never deletes a platform's namespace, neither by a prune nor when its Application is deleted (the
 * resources finalizer's cascade): deleting the namespace would delete the data stores' volumes with it.
 */
export const KEEP_NAMESPACE_SYNC_OPTIONS = 'Prune=false,Delete=false';

/**
 * A platform's namespace: Pod Security admission enforcing `restricted` (and warning and auditing at the same
 * level), a ResourceQuota from the environment and a LimitRange that gives a forgotten container defaults.
 * Neither limits CPU: containers run without CPU limits by design (CFS throttling stalls JVMs and proxies
 * far below their request), so the quota bounds `requests.cpu` and the memory, and the LimitRange defaults
 * only a CPU request and a memory limit.
 */
export class PlatformNamespace extends Construct {
  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    const level = props.podSecurity ?? 'restricted';
    const labels = { 'app.kubernetes.io/part-of': props.name, 'app.kubernetes.io/managed-by': MANAGED_BY };
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: props.name,
        annotations: { 'argocd.argoproj.io/sync-options': KEEP_NAMESPACE_SYNC_OPTIONS },
        labels: {
          ...labels,
          'kubernetes.io/metadata.name': props.name,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': level,
          'pod-security.kubernetes.io/audit': level,
          [SECRETS_LABEL]: 'enabled',
          ...(props.loadBalancerReadinessGates ? { [READINESS_GATE_INJECT_LABEL]: 'enabled' } : {}),
        },
      },
    });
    const q = props.quota;
    new k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: props.name, labels },
      spec: {
        hard: {
          'requests.cpu': k8s.Quantity.fromString(q.requestsCpu),
          'requests.memory': k8s.Quantity.fromString(q.requestsMemory),
          'limits.memory': k8s.Quantity.fromString(q.limitsMemory),
          pods: k8s.Quantity.fromNumber(q.pods),
          persistentvolumeclaims: k8s.Quantity.fromNumber(q.persistentVolumeClaims),
          'requests.storage': k8s.Quantity.fromString(q.requestsStorage),
        },
      },
    });
    new k8s.KubeLimitRange(this, 'limits', {
      metadata: { name: props.name, labels },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
            // Memory only: a default CPU limit would cap every container that leaves it out on purpose.
            default: { memory: k8s.Quantity.fromString('256Mi') },
            max: { memory: k8s.Quantity.fromString(q.limitsMemory) },
          },
        ],
      },
    });
  }
}
