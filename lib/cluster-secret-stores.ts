import { Construct } from 'constructs';
import type { ClusterFacts } from '../environments/cluster-facts';
import { ClusterSecretStore, ClusterSecretStoreSpecProviderAwsService } from '../imports/external-secrets.io';
import type { SecretStoreKind } from './external-secret';
import { MANAGED_BY } from './labels';
import { SECRETS_LABEL } from './platform-namespace';

/** Namespace and service account of External Secrets Operator; its IAM role comes from the cluster facts. */
export const EXTERNAL_SECRETS_NAMESPACE = 'external-secrets';
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = 'external-secrets';

/**
 * The environment's ClusterSecretStores: AWS Secrets Manager and SSM Parameter Store, both authenticating
 * with the operator's IRSA role and serving only namespaces labelled for it.
 */
export class ClusterSecretStores extends Construct {
  constructor(scope: Construct, id: string, cluster: ClusterFacts) {
    super(scope, id);
    const stores: Record<SecretStoreKind, ClusterSecretStoreSpecProviderAwsService> = {
      'aws-secrets-manager': ClusterSecretStoreSpecProviderAwsService.SECRETS_MANAGER,
      'aws-parameter-store': ClusterSecretStoreSpecProviderAwsService.PARAMETER_STORE,
    };
    for (const [name, service] of Object.entries(stores)) {
      new ClusterSecretStore(this, name, {
        metadata: { name, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': MANAGED_BY } },
        spec: {
          // kube-system is not ours to label: it is named, for the AWS Load Balancer Controller's webhook certificate.
          conditions: [{ namespaceSelector: { matchLabels: { [SECRETS_LABEL]: 'enabled' } } }, { namespaces: ['kube-system'] }],
          provider: {
            aws: {
              service,
              region: cluster.region,
              auth: { jwt: { serviceAccountRef: { name: EXTERNAL_SECRETS_SERVICE_ACCOUNT, namespace: EXTERNAL_SECRETS_NAMESPACE } } },
            },
          },
        },
      });
    }
  }
}
