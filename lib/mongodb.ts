import { Construct } from 'constructs';
import { checkDataStoreProps } from './props-schemas';
import type { Resources } from '../environments/schema';
import { DataStore, memberHost } from './data-store';
import type { ImageReference } from './image';
import { PlatformChart } from './platform-chart';
import { execProbes } from './probes';

export interface MongoDbProps {
  /** @default mongo 7.0.14 from the ECR Public mirror of Docker Official Images */
  readonly image?: ImageReference;
  /**
   * Secret in AWS holding `root-username`, `root-password`, `app-username`, `app-password` and `keyfile` (the
   * replica set's shared key, 756 base64 characters), below the environment's prefix.
   */
  readonly credentialsKey: string;
  /** Database the application user may read and write; the user is created once the set has a primary. */
  readonly appDatabase: string;
  /** Members of the replica set: one primary, the rest secondaries. @default 3 */
  readonly members?: number;
  /** @default 10Gi */
  readonly storage?: string;
  /** @default 250m/1Gi requests, 1Gi memory limit */
  readonly resources?: Resources;
}

const REPLICA_SET = 'rs0';
const KEYFILE_DIR = '/etc/mongodb-keyfile';

/**
 * MongoDB as a replica set in a StatefulSet, members spread over zones. On first boot member 0 creates the
 * root user and a small sidecar initiates the replica set with every member's stable DNS name, then creates
 * the application's user; the other
 * members start empty (a member with data cannot join), so their init variables are unset. The sidecar is
 * idempotent: on later boots it finds the set initiated and only waits.
 */
export class MongoDb extends DataStore {
  public static readonly PORT = 27017;
  public static readonly REPLICA_SET = REPLICA_SET;
  /** Hosts of every member, for a client's seed list. */
  public readonly seedList: string;

  constructor(scope: Construct, name: string, props: MongoDbProps) {
    checkDataStoreProps(scope, name, 'MongoDb', props);
    const namespace = PlatformChart.platformOf(scope).context.namespace;
    const members = props.members ?? 3;
    const hosts = Array.from({ length: members }, (_, i) => `${memberHost(name, namespace, i)}:${MongoDb.PORT}`);
    const config = JSON.stringify({ _id: REPLICA_SET, members: hosts.map((host, i) => ({ _id: i, host })) });
    const auth = '--username "$MONGO_INITDB_ROOT_USERNAME" --password "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin';
    const initiate = [
      'trap "exit 0" TERM',
      'if [ "${HOSTNAME##*-}" = "0" ]; then',
      `  until mongosh --quiet --host 127.0.0.1 ${auth} --eval 'try { rs.status().ok } catch (e) { if (e.codeName !== "NotYetInitialized") throw e; rs.initiate(${config}).ok }' | grep -q 1; do sleep 5; done`,
      `  until mongosh --quiet --host 127.0.0.1 ${auth} --eval 'if (!db.hello().isWritablePrimary) quit(1); const admin = db.getSiblingDB("admin"); if (!admin.getUser(process.env.MONGO_APP_USERNAME)) admin.createUser({ user: process.env.MONGO_APP_USERNAME, pwd: process.env.MONGO_APP_PASSWORD, roles: [{ role: "readWrite", db: "${props.appDatabase}" }] }); print(1)' | grep -q 1; do sleep 5; done`,
      'fi',
      'while true; do sleep 3600 & wait $!; done',
    ].join('\n');
    const replicaSet = `--host "${REPLICA_SET}/${hosts.join(',')}" --username "$MONGO_USERNAME" --password "$MONGO_PASSWORD" --authenticationDatabase admin`;
    super(scope, name, {
      engine: 'mongodb',
      image: props.image ?? { repository: 'public.ecr.aws/docker/library/mongo', tag: '7.0.14' },
      replicas: members,
      fixedReplicas: true,
      resources: props.resources ?? { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } },
      storage: props.storage ?? '10Gi',
      dataPath: '/data/db',
      ports: [{ name: 'mongodb', port: MongoDb.PORT }],
      runAsUser: 999,
      replicated: true,
      command: ['sh', '-c'],
      args: [
        'if [ "${HOSTNAME##*-}" != "0" ]; then unset MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD; fi\n' +
          `exec docker-entrypoint.sh mongod --replSet ${REPLICA_SET} --bind_ip_all --keyFile ${KEYFILE_DIR}/keyfile`,
      ],
      secrets: [
        { secretName: `${name}-credentials`, remoteKey: props.credentialsKey, env: { MONGO_INITDB_ROOT_USERNAME: 'root-username', MONGO_INITDB_ROOT_PASSWORD: 'root-password', MONGO_APP_USERNAME: 'app-username', MONGO_APP_PASSWORD: 'app-password' } },
        { secretName: `${name}-keyfile`, remoteKey: props.credentialsKey, env: { keyfile: 'keyfile' }, mountPath: '/var/run/secrets/mongodb-keyfile' },
      ],
      probes: execProbes(
        ['mongosh', '--quiet', '--host', '127.0.0.1', '--eval', 'db.adminCommand("ping").ok'],
        ['mongosh', '--quiet', '--host', '127.0.0.1', '--eval', 'db.adminCommand("ping").ok'],
      ),
      writablePaths: ['/tmp', '/data/configdb', KEYFILE_DIR],
      // mongod refuses a key file readable by others; Secret volumes are group-readable, so copy it.
      initContainers: [{
        name: 'keyfile',
        command: ['sh', '-c', `cp /var/run/secrets/mongodb-keyfile/keyfile ${KEYFILE_DIR}/keyfile && chmod 0400 ${KEYFILE_DIR}/keyfile`],
      }],
      sidecars: [{ name: 'replica-set-init', command: ['sh', '-c', initiate] }],
      // The application's database, read from a secondary so the primary keeps serving; restored into the primary.
      backup: {
        file: 'dump.archive.gz',
        dump: `mongodump ${replicaSet} --readPreference secondary --db ${props.appDatabase} --archive="/backup/$DUMP_FILE" --gzip`,
        restore: `mongorestore ${replicaSet} --nsInclude "${props.appDatabase}.*" --drop --archive="/backup/$DUMP_FILE" --gzip`,
        credentials: { MONGO_USERNAME: 'MONGO_INITDB_ROOT_USERNAME', MONGO_PASSWORD: 'MONGO_INITDB_ROOT_PASSWORD' },
      },
      // Each member's exporter reports that member and, from replSetGetStatus, what it sees of every other.
      exporter: {
        image: { repository: 'docker.io/percona/mongodb_exporter', tag: '0.47.2' },
        port: 9216,
        args: [
          `--mongodb.uri=mongodb://127.0.0.1:${MongoDb.PORT}/admin?directConnection=true`,
          '--web.listen-address=:9216', '--collector.replicasetstatus', '--collector.diagnosticdata',
        ],
        env: { MONGODB_USER: '$(MONGO_INITDB_ROOT_USERNAME)', MONGODB_PASSWORD: '$(MONGO_INITDB_ROOT_PASSWORD)' },
      },
      policyExemptions: {
        probes: 'the replica-set-init sidecar is an idempotent bootstrap loop that serves nothing; mongod has all three probes',
      },
    });
    this.seedList = hosts.join(',');
  }
}
