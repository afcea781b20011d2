import { k8s } from './k8s';
import { Construct } from 'constructs';
import { checkDataStoreProps } from './props-schemas';
import { ConfigError } from './errors';
import { appLabels } from './labels';
import { PlatformChart } from './platform-chart';

export interface ExternalDatabaseProps {
  /** Key of the endpoint in the cluster facts' `database_endpoints`. */
  readonly endpoint: string;
  /** Engine the platform expects there; a mismatch in the facts is an error. */
  readonly engine: 'mysql' | 'mariadb' | 'postgres';
}

/**
 * A database outside the cluster (Amazon RDS), reached through a Service of type ExternalName, so pods use a
 * stable in-namespace name (`<name>:<port>`) while Terraform owns the endpoint.
 */
export class ExternalDatabase extends Construct {
  public readonly name: string;
  public readonly host: string;
  public readonly port: number;

  constructor(scope: Construct, name: string, props: ExternalDatabaseProps) {
    super(scope, name);
    checkDataStoreProps(scope, name, 'ExternalDatabase', props, 'external-database');
    const chart = PlatformChart.platformOf(this);
    const { env, context } = chart;
    const where = context.where(name, 'external-database');
    const endpoint = env.cluster.database_endpoints[props.endpoint];
    if (!endpoint) {
      throw new ConfigError(`${where}: endpoint '${props.endpoint}' is not in the cluster facts' database_endpoints (have: ${Object.keys(env.cluster.database_endpoints).join(', ') || 'none'})`);
    }
    if (endpoint.engine !== props.engine) {
      throw new ConfigError(`${where}: database_endpoints.${props.endpoint} is ${endpoint.engine}, the platform expects ${props.engine}`);
    }
    this.name = name;
    this.host = endpoint.host;
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
    });
  }
}
