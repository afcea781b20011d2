import { Construct } from 'constructs';
import { checkDataStoreProps } from './props-schemas';
import type { Resources } from '../environments/schema';
import { DataStore } from './data-store';
import type { ImageReference } from './image';
import { execProbes } from './probes';

export interface PostgresProps {
  /** @default postgres 16.6 from the ECR Public mirror of Docker Official Images */
  readonly image?: ImageReference;
  /** Database created on first boot. */
  readonly database: string;
  /** Secret in AWS holding `username` and `password`, below the environment's prefix. */
  readonly credentialsKey: string;
  /** @default 10Gi */
  readonly storage?: string;
  /** @default 250m/512Mi requests, 1Gi memory limit */
  readonly resources?: Resources;
}

/**
 * A self-hosted PostgreSQL singleton for environments without RDS. The official image runs as uid 999
 * (postgres); the data directory is a subfolder of the volume, because initdb refuses a non-empty mount
 * point (EBS volumes carry lost+found).
 */
export class Postgres extends DataStore {
  public static readonly PORT = 5432;

  constructor(scope: Construct, name: string, props: PostgresProps) {
    checkDataStoreProps(scope, name, 'Postgres', props);
    const isReady = ['sh', '-c', 'pg_isready --host=127.0.0.1 --username="$POSTGRES_USER" --dbname="$POSTGRES_DB"'];
    super(scope, name, {
      engine: 'postgres',
      image: props.image ?? { repository: 'public.ecr.aws/docker/library/postgres', tag: '16.6' },
      replicas: 1,
      fixedReplicas: true,
      resources: props.resources ?? { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      storage: props.storage ?? '10Gi',
      dataPath: '/var/lib/postgresql/data',
      ports: [{ name: 'postgres', port: Postgres.PORT }],
      runAsUser: 999,
      env: { POSTGRES_DB: props.database, PGDATA: '/var/lib/postgresql/data/pgdata' },
      secrets: [{ secretName: `${name}-credentials`, remoteKey: props.credentialsKey, env: { POSTGRES_USER: 'username', POSTGRES_PASSWORD: 'password' } }],
      probes: execProbes(isReady, isReady),
      writablePaths: ['/tmp', '/var/run/postgresql'],
      // Custom format (compressed, selective restore); restored in one transaction, so a failure changes nothing.
      backup: {
        file: 'dump.pgdump',
        dump: `pg_dump --host=${name} --port=${Postgres.PORT} --dbname=${props.database} --format=custom --file="/backup/$DUMP_FILE"`,
        restore: `pg_restore --host=${name} --port=${Postgres.PORT} --dbname=${props.database} --clean --if-exists --no-owner --single-transaction "/backup/$DUMP_FILE"`,
        credentials: { PGUSER: 'POSTGRES_USER', PGPASSWORD: 'POSTGRES_PASSWORD' },
      },
      exporter: {
        image: { repository: 'quay.io/prometheuscommunity/postgres-exporter', tag: 'v0.17.1' },
        port: 9187,
        env: {
          DATA_SOURCE_URI: `127.0.0.1:${Postgres.PORT}/${props.database}?sslmode=disable`,
          DATA_SOURCE_USER: '$(POSTGRES_USER)',
          DATA_SOURCE_PASS: '$(POSTGRES_PASSWORD)',
        },
      },
    });
  }
}
