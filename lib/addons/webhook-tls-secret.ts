import type { Environment } from '../../environments/schema';
import { MANAGED_BY } from '../labels';
import type { KubeObject } from '../kube-object';

/**
 * A webhook's serving certificate as a `kubernetes.io/tls` Secret made by External Secrets from
 * `<prefix><remoteKey>` (properties `tls.crt`, `tls.key`, `ca.crt`), which Terraform writes with the CA it
 * also publishes in the cluster facts.
 */
export function webhookTlsSecret(env: Environment, namespace: string, name: string, remoteKey: string): KubeObject {
  const key = `${env.secretPathPrefix}${remoteKey}`;
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/name': name } },
    spec: {
      refreshInterval: env.secretRefreshInterval,
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
      target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain', template: { type: 'kubernetes.io/tls' } },
      data: ['tls.crt', 'tls.key', 'ca.crt'].map((property) => ({ secretKey: property, remoteRef: { key, property } })),
    },
  };
}
