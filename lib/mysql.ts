import { Construct } from 'constructs';
import { checkDataStoreProps } from './props-schemas';
import type { Resources } from '../environments/schema';
import { DataStore } from './data-store';
import type { ImageReference } from './image';
import { execProbes } from './probes';

export interface MySqlProps {
  /** @default mysql 8.4.3 from the ECR Public mirror of Docker Official Images */
  readonly image?: ImageReference;
  /** Database created on first boot. */
  readonly database: string;
  /** Secret in AWS holding `root-password`, `username` and `password`, below the environment's prefix. */
  readonly credentialsKey: string;
  /** @default 10Gi */
  readonly storage?: string;
  /** @default 250m/1Gi requests, 1Gi memory limit */
  readonly resources?: Resources;
}

/**
 * MySQL as a singleton: one StatefulSet member with its own volume. The official image runs unprivileged as
 * uid 999 with a read-only root filesystem once its socket and temp directories are writable.
 */
export class MySql extends DataStore {
  public static readonly PORT = 3306;

  constructor(scope: Construct, name: string, props: MySqlProps) {
    checkDataStoreProps(scope, name, 'MySql', props);
    const ping = ['sh', '-c', 'mysqladmin ping --host=127.0.0.1 --silent'];
    super(scope, name, {
      engine: 'mysql',
      image: props.image ?? { repository: 'public.ecr.aws/docker/library/mysql', tag: '8.4.3' },
      replicas: 1,
      fixedReplicas: true,
      resources: props.resources ?? { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } },
      storage: props.storage ?? '10Gi',
      dataPath: '/var/lib/mysql',
      ports: [{ name: 'mysql', port: MySql.PORT }],
      runAsUser: 999,
      env: { MYSQL_DATABASE: props.database },
      secrets: [{
        secretName: `${name}-credentials`,
        remoteKey: props.credentialsKey,
        env: { MYSQL_ROOT_PASSWORD: 'root-password', MYSQL_USER: 'username', MYSQL_PASSWORD: 'password' },
      }],
      probes: execProbes(
        ['sh', '-c', 'mysql --host=127.0.0.1 --user="$MYSQL_USER" --password="$MYSQL_PASSWORD" --execute="SELECT 1" "$MYSQL_DATABASE"'],
        ping,
      ),
      writablePaths: ['/tmp', '/var/run/mysqld'],
      // Over loopback as root: the application user lacks PROCESS and REPLICATION CLIENT, and the image
      // creates no other user. The exporter only reads status.
      // One consistent InnoDB snapshot without locking the tables (--single-transaction).
      backup: {
        file: 'dump.sql',
        dump: `mysqldump --host=${name} --port=${MySql.PORT} --user=root --single-transaction --routines --triggers --events --set-gtid-purged=OFF --databases ${props.database} --result-file="/backup/$DUMP_FILE"`,
        restore: `mysql --host=${name} --port=${MySql.PORT} --user=root < "/backup/$DUMP_FILE"`,
        credentials: { MYSQL_PWD: 'MYSQL_ROOT_PASSWORD' },
      },
      exporter: {
        image: { repository: 'quay.io/prometheus/mysqld-exporter', tag: 'v0.17.2' },
        port: 9104,
        args: [`--mysqld.address=127.0.0.1:${MySql.PORT}`, '--mysqld.username=root', '--web.listen-address=:9104'],
        env: { MYSQLD_EXPORTER_PASSWORD: '$(MYSQL_ROOT_PASSWORD)' },
      },
    });
  }
}
