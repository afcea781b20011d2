import { Construct } from 'constructs';
import {
  ExternalSecret as ExternalSecretObject,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
} from '../imports/external-secrets.io';
import { appLabels } from './labels';
import { PlatformChart } from './platform-chart';

/** The secret stores every environment has (see ClusterSecretStores). */
export type SecretStoreKind = 'aws-secrets-manager' | 'aws-parameter-store';

export interface ServiceSecretProps {
  /** Component the secret belongs to (for labels). */
  readonly owner: string;
  /** Component role for labels. @default 'secret' */
  readonly component?: string;
  /** Name of the remote secret below the environment's `secretPathPrefix`, e.g. `sales-order/customer-mysql`. */
  readonly remoteKey: string;
  /** Keys of the Kubernetes Secret, each taken from a property of the remote JSON secret. */
  readonly keys: Readonly<Record<string, string>>;
  /** Store to read from. @default 'aws-secrets-manager' */
  readonly store?: SecretStoreKind;
  /** How often External Secrets re-reads the store. @default the environment's secretRefreshInterval */
  readonly refreshInterval?: string;
}

/**
 * A Kubernetes Secret that External Secrets Operator creates and keeps in sync from AWS; the manifest carries
 * only the reference, never the value. The Secret gets the name of this construct's id.
 */
export class ServiceSecret extends Construct {
  /** Name of the Kubernetes Secret pods reference. */
  public readonly secretName: string;
  public readonly keys: readonly string[];

  constructor(scope: Construct, id: string, props: ServiceSecretProps) {
    super(scope, id);
    const chart = PlatformChart.platformOf(this);
    const env = chart.env;
    this.secretName = id;
    this.keys = Object.keys(props.keys).sort();
    const store = props.store ?? 'aws-secrets-manager';
    const remoteKey = `${env.secretPathPrefix}${props.remoteKey}`;
    new ExternalSecretObject(this, 'resource', {
      metadata: {
        name: id,
        labels: appLabels({ name: props.owner, partOf: chart.context.platform, component: props.component ?? 'secret' }),
      },
      spec: {
        refreshInterval: props.refreshInterval ?? env.secretRefreshInterval,
        secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: store },
        // Retain: a store outage or a deleted remote key must not delete the Secret running pods use.
        target: {
          name: id,
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
        },
        data: this.keys.map((secretKey) => ({
          secretKey,
          remoteRef: store === 'aws-secrets-manager'
            ? { key: remoteKey, property: props.keys[secretKey] }
            : { key: `/${remoteKey}/${props.keys[secretKey]}` },
        })),
      },
    });
  }
}
