import { Construct } from 'constructs';
import { checkDataStoreProps } from './props-schemas';
import type { Resources } from '../environments/schema';
import { DataStore, memberHost } from './data-store';
import type { ImageReference } from './image';
import { PlatformChart } from './platform-chart';
import { execProbes } from './probes';

export interface RedisProps {
  /** @default redis 7.4.1 from the ECR Public mirror of Docker Official Images */
  readonly image?: ImageReference;
  /** Secret in AWS holding `password`, below the environment's prefix. */
  readonly credentialsKey: string;
  /** Members: one primary, the rest replicas of it, each with a Sentinel; a majority is the quorum. @default 3 */
  readonly replicas?: number;
  /** @default 5Gi */
  readonly storage?: string;
  /** @default 100m/512Mi requests, 512Mi memory limit */
  readonly resources?: Resources;
}

/** Name under which the Sentinels monitor the primary; clients ask for it. */
const MASTER_SET = 'mymaster';
const CONFIG_DIR = '/etc/redis';
const SENTINEL_DIR = '/etc/redis-sentinel';

/**
 * Redis with automatic failover: a primary and replicas, each with AOF persistence on its own volume, and a
 * Sentinel beside every member. The Sentinels watch the primary; when a quorum (a majority of the members)
 * agrees it is down, they promote a replica and reconfigure the others, and clients that ask the Sentinels
 * (`sentinelNodes`, master set `mymaster`) follow. Members and Sentinels announce their stable DNS names, not
 * pod IPs, so a restarted pod keeps its identity.
 *
 * On every start an init container asks the other members' Sentinels who the primary is now and writes the
 * configuration accordingly (member 0 is the primary only when no Sentinel answers, i.e. on the first boot).
 * The password reaches Redis and Sentinel through their configuration files, written into a memory-backed
 * emptyDir by that init container from the Secret's environment variable, never through a command line;
 * probes authenticate with `REDISCLI_AUTH` from the environment.
 */
export class Redis extends DataStore {
  public static readonly PORT = 6379;
  public static readonly SENTINEL_PORT = 26379;
  public static readonly MASTER_SET = MASTER_SET;

  /** `host:26379` of every member's Sentinel, for a client's sentinel node list. */
  public readonly sentinelNodes: string;

  constructor(scope: Construct, name: string, props: RedisProps) {
    checkDataStoreProps(scope, name, 'Redis', props);
    const context = PlatformChart.platformOf(scope).context;
    const namespace = context.namespace;
    const replicas = context.dataStoreOverride(name).replicas ?? props.replicas ?? 3;
    const member = (i: number) => memberHost(name, namespace, i);
    const quorum = Math.floor(replicas / 2) + 1;
    const domain = `${name}-headless.${namespace}.svc.cluster.local`;
    // Runs with REDISCLI_AUTH (the password) in its environment; printf is a shell builtin, so the password
    // is in no process's argv.
    const configure = [
      'set -eu',
      `me="$HOSTNAME.${domain}"`,
      'primary=""',
      `for i in $(seq 0 ${replicas - 1}); do`,
      `  peer="${name}-$i.${domain}"`,
      '  [ "$peer" = "$me" ] && continue',
      `  found=$(timeout 3 redis-cli -h "$peer" -p ${Redis.SENTINEL_PORT} sentinel get-master-addr-by-name ${MASTER_SET} 2>/dev/null | head -n 1) || true`,
      '  if [ -n "$found" ]; then primary="$found"; break; fi',
      'done',
      `[ -n "$primary" ] || primary="${member(0)}"`,
      // Sentinel refuses a monitor whose name does not resolve yet (members start in parallel).
      'until getent hosts "$primary" >/dev/null; do sleep 2; done',
      `{ printf 'port ${Redis.PORT}\\ndir /data\\nappendonly yes\\nprotected-mode no\\nreplica-announce-ip %s\\n' "$me"`,
      `  printf 'requirepass "%s"\\nmasterauth "%s"\\n' "$REDISCLI_AUTH" "$REDISCLI_AUTH"`,
      `  if [ "$primary" != "$me" ]; then printf 'replicaof %s ${Redis.PORT}\\n' "$primary"; fi`,
      `} > ${CONFIG_DIR}/redis.conf`,
      `{ printf 'port ${Redis.SENTINEL_PORT}\\nsentinel resolve-hostnames yes\\nsentinel announce-hostnames yes\\nsentinel announce-ip %s\\n' "$me"`,
      `  printf 'sentinel monitor ${MASTER_SET} %s ${Redis.PORT} ${quorum}\\n' "$primary"`,
      `  printf 'sentinel auth-pass ${MASTER_SET} "%s"\\nrequirepass "%s"\\n' "$REDISCLI_AUTH" "$REDISCLI_AUTH"`,
      `  printf 'sentinel down-after-milliseconds ${MASTER_SET} 5000\\nsentinel failover-timeout ${MASTER_SET} 60000\\nsentinel parallel-syncs ${MASTER_SET} 1\\n'`,
      `} > ${SENTINEL_DIR}/sentinel.conf`,
    ].join('\n');
    const ping = (port: number, ok: string) => ['sh', '-c', `redis-cli -h 127.0.0.1 -p ${port} ping | grep -qE "${ok}"`];
    super(scope, name, {
      engine: 'redis',
      membersRole: 'member 0 primary, the others replicas of it',
      image: props.image ?? { repository: 'public.ecr.aws/docker/library/redis', tag: '7.4.1' },
      component: 'cache',
      replicas: props.replicas ?? 3,
      resources: props.resources ?? { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '512Mi' } },
      storage: props.storage ?? '5Gi',
      dataPath: '/data',
      ports: [{ name: 'redis', port: Redis.PORT }, { name: 'sentinel', port: Redis.SENTINEL_PORT, sidecar: 'sentinel' }],
      runAsUser: 999,
      replicated: true,
      command: ['redis-server', `${CONFIG_DIR}/redis.conf`],
      // redis-cli (probes, the init container) authenticates with REDISCLI_AUTH; the server and Sentinel read the
      // password from the files the init container writes; REDIS_PASSWORD is for the exporter and the restore.
      secrets: [{ secretName: `${name}-credentials`, remoteKey: props.credentialsKey, env: { REDISCLI_AUTH: 'password', REDIS_PASSWORD: 'password' } }],
      probes: execProbes(ping(Redis.PORT, 'PONG'), ping(Redis.PORT, 'PONG|LOADING')),
      writablePaths: ['/tmp'],
      secretPaths: [CONFIG_DIR, SENTINEL_DIR],
      initContainers: [{ name: 'configure', command: ['sh', '-c', configure], credentials: ['REDISCLI_AUTH'] }],
      sidecars: [{
        name: 'sentinel',
        command: ['redis-sentinel', `${SENTINEL_DIR}/sentinel.conf`],
        credentials: ['REDISCLI_AUTH'],
        readinessProbe: execProbes(ping(Redis.SENTINEL_PORT, 'PONG'), ping(Redis.SENTINEL_PORT, 'PONG')).readiness,
        livenessProbe: execProbes(ping(Redis.SENTINEL_PORT, 'PONG'), ping(Redis.SENTINEL_PORT, 'PONG')).liveness,
      }],
      // An RDB snapshot streamed from a member (a replica serves it as well as the primary). Restore loads it into a scratch server in the Job's pod and
      // MIGRATEs every key (COPY REPLACE) into the running primary, which replicates it as any write.
      backup: {
        file: 'dump.rdb',
        dump: `redis-cli -h ${name} -p ${Redis.PORT} --rdb "/backup/$DUMP_FILE"`,
        restore: [
          'set -eu',
          'scratch() { env -u REDISCLI_AUTH redis-cli -p 6380 "$@"; }',
          'redis-server --port 6380 --bind 127.0.0.1 --dir /backup --dbfilename "$DUMP_FILE" --appendonly no --save "" &',
          'until scratch ping 2>/dev/null | grep -q PONG; do sleep 1; done',
          'echo "loaded $(scratch dbsize) keys"',
          // Writes go to the primary of the moment, as the Sentinels name it.
          `primary=$(redis-cli -h ${name} -p ${Redis.SENTINEL_PORT} sentinel get-master-addr-by-name ${MASTER_SET} | head -n 1)`,
          `scratch --scan | xargs -r -d '\\n' -n 100 sh -c 'env -u REDISCLI_AUTH redis-cli -p 6380 MIGRATE "$0" ${Redis.PORT} "" 0 60000 COPY REPLACE AUTH "$REDIS_PASSWORD" KEYS "$@" | grep -qxE "OK|NOKEY"' "$primary"`,
          'scratch shutdown nosave || true',
        ].join('\n'),
        credentials: { REDISCLI_AUTH: 'REDISCLI_AUTH', REDIS_PASSWORD: 'REDIS_PASSWORD' },
        restoreInMemory: true,
      },
      exporter: {
        image: { repository: 'docker.io/oliver006/redis_exporter', tag: 'v1.67.0' },
        port: 9121,
        env: { REDIS_ADDR: `redis://127.0.0.1:${Redis.PORT}`, REDIS_PASSWORD: '$(REDISCLI_AUTH)' },
      },
    });
    this.sentinelNodes = Array.from({ length: replicas }, (_, i) => `${member(i)}:${Redis.SENTINEL_PORT}`).join(',');
  }
}
