import { k8s } from './k8s';
import { Construct } from 'constructs';
import { checkDataStoreProps } from './props-schemas';
import { ConfigError } from './errors';
import { appLabels } from './labels';
import { PlatformChart } from './platform-chart';
import { rdsCaBundle, rdsRegion } from './rds-ca-bundle';

export interface ExternalDatabaseProps {
  /** Key of the endpoint in the cluster facts' `database_endpoints`. */
  readonly endpoint: string;
  /** Engine the platform expects there; a mismatch in the facts is an error. */
  readonly engine: 'mysql' | 'mariadb' | 'postgres';
}

const ENGINE_NAMES: Record<ExternalDatabaseProps['engine'], string> = { mysql: 'MySQL', mariadb: 'MariaDB', postgres: 'PostgreSQL' };

/** A CA bundle in a ConfigMap of the namespace, mounted read-only into a client's containers. */
export interface CaBundle {
  readonly configMap: string;
  /** Directory it is mounted at; the bundle is the file `ca.pem` in it. */
  readonly mountPath: string;
  /** Full path of the PEM file, for the client's configuration. */
  readonly file: string;
}

/**
 * A database outside the cluster (Amazon RDS), reached through a Service of type ExternalName, so the model
 * and its NetworkPolicies have a stable in-namespace name (`<name>:<port>`) while Terraform owns the endpoint.
 * Clients connect with TLS and verify the server: the region's RDS root CAs are rendered into the ConfigMap
 * `<name>-ca` (see lib/rds-ca-bundle.ts), and they must connect to `host` (the RDS endpoint itself, which the
 * server's certificate names), not to the alias.
 */
export class ExternalDatabase extends Construct {
  public readonly name: string;
  public readonly host: string;
  public readonly port: number;
  /** The RDS CA bundle clients verify the server with. */
  public readonly caBundle: CaBundle;

  constructor(scope: Construct, name: string, props: ExternalDatabaseProps) {
    super(scope, name);
    checkDataStoreProps(scope, name, 'ExternalDatabase', props, 'external-database');
    const chart = PlatformChart.platformOf(this);
    const { env, context } = chart;
    const subject = context.subject(name, 'external-database');
    const endpoint = env.cluster.database_endpoints[props.endpoint];
    if (!endpoint) {
      throw new ConfigError(subject, `endpoint '${props.endpoint}' is not in the cluster facts' database_endpoints (have: ${Object.keys(env.cluster.database_endpoints).join(', ') || 'none'})`);
    }
    if (endpoint.engine !== props.engine) {
      throw new ConfigError(subject, `database_endpoints.${props.endpoint} is ${endpoint.engine}, the platform expects ${props.engine}`);
    }
    const region = rdsRegion(endpoint.host);
    if (!region) {
      throw new ConfigError(subject, `database_endpoints.${props.endpoint}.host ${endpoint.host} is not an Amazon RDS endpoint (<id>.<hash>.<region>.rds.amazonaws.com); only RDS's CA bundle is known to verify it with`);
    }
    this.name = name;
    this.host = endpoint.host;
    this.caBundle = { configMap: `${name}-ca`, mountPath: `/etc/ssl/certs/${name}`, file: `/etc/ssl/certs/${name}/ca.pem` };
    new k8s.KubeConfigMap(this, 'ca', {
      metadata: { name: this.caBundle.configMap, labels: appLabels({ name, partOf: context.platform, component: 'database' }) },
      data: { 'ca.pem': rdsCaBundle(region) },
    });
    this.port = endpoint.port;
    new k8s.KubeService(this, 'service', {
      metadata: { name, labels: appLabels({ name, partOf: context.platform, component: 'database' }) },
      spec: {
        type: 'ExternalName',
        externalName: endpoint.host,
        ports: [{ name: props.engine, port: endpoint.port, protocol: 'TCP' }],
      },
    });
    context.register({
      name,
      kind: 'external-database',
      chart: chart.node.id,
      ports: [{ name: props.engine, port: endpoint.port, containerPort: endpoint.port }],
      dependsOn: [],
      external: { host: endpoint.host, port: endpoint.port },
      engineName: ENGINE_NAMES[props.engine],
    });
  }
}
