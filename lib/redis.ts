import { Construct } from 'constructs';
import { checkDataStoreProps } from './props-schemas';
import type { Resources } from '../environments/schema';
import { DataStore, memberHost, memberSelector } from './data-store';
import { selectorLabels } from './labels';
import type { ImageReference } from './image';
import { PlatformChart } from './platform-chart';
import { execProbes } from './probes';

export interface RedisProps {
  /** @default redis 7.4.1 from the ECR Public mirror of Docker Official Images */
  readonly image?: ImageReference;
  /** Secret in AWS holding `password`, below the environment's prefix. */
  readonly credentialsKey: string;
  /** Members: one primary, the rest replicas of it. @default 3 */
  readonly replicas?: number;
  /** @default 5Gi */
  readonly storage?: string;
  /** @default 100m/512Mi requests, 512Mi memory limit */
  readonly resources?: Resources;
}

/**
 * Redis with one primary (member 0) and read replicas that follow it, each with AOF persistence on its own
 * volume. Clients write through the Service `<name>` (the primary only) and may read through
 * `<name>-replicas` (every member). There is no automatic failover: if member 0 is lost, the StatefulSet
 * recreates it on its volume.
 */
export class Redis extends DataStore {
  public static readonly PORT = 6379;

  /** Service that reaches only the primary; clients write here. */
  public readonly primaryService: string;
  /** Service that reaches every member; clients may read here. */
  public readonly replicasService: string;

  constructor(scope: Construct, name: string, props: RedisProps) {
    checkDataStoreProps(scope, name, 'Redis', props);
    const namespace = PlatformChart.platformOf(scope).context.namespace;
    const primary = memberHost(name, namespace, 0);
    const server = [
      'redis-server', '--port', String(Redis.PORT), '--dir', '/data', '--appendonly', 'yes',
      '--requirepass', '"$REDIS_PASSWORD"', '--masterauth', '"$REDIS_PASSWORD"', '--protected-mode', 'no',
    ].join(' ');
    super(scope, name, {
      engine: 'redis',
      image: props.image ?? { repository: 'public.ecr.aws/docker/library/redis', tag: '7.4.1' },
      component: 'cache',
      replicas: props.replicas ?? 3,
      resources: props.resources ?? { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '512Mi' } },
      storage: props.storage ?? '5Gi',
      dataPath: '/data',
      ports: [{ name: 'redis', port: Redis.PORT }],
      runAsUser: 999,
      replicated: true,
      command: ['sh', '-c'],
      // Member 0 is the primary; every other member replicates it by its stable DNS name.
      args: [`if [ "\${HOSTNAME##*-}" = "0" ]; then exec ${server}; else exec ${server} --replicaof ${primary} ${Redis.PORT}; fi`],
      secrets: [{ secretName: `${name}-credentials`, remoteKey: props.credentialsKey, env: { REDIS_PASSWORD: 'password', REDISCLI_AUTH: 'password' } }],
      probes: execProbes(['sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'], ['sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -qE "PONG|LOADING"']),
      clientSelector: memberSelector(name, 0),
      extraServices: [{ name: `${name}-replicas`, selector: selectorLabels(name) }],
      // An RDB snapshot streamed from the primary. Restore loads it into a scratch server in the Job's pod and
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
          `scratch --scan | xargs -r -d '\\n' -n 100 sh -c 'env -u REDISCLI_AUTH redis-cli -p 6380 MIGRATE "$0" ${Redis.PORT} "" 0 60000 COPY REPLACE AUTH "$REDIS_PASSWORD" KEYS "$@" | grep -qxE "OK|NOKEY"' ${name}`,
          'scratch shutdown nosave || true',
        ].join('\n'),
        credentials: { REDISCLI_AUTH: 'REDISCLI_AUTH', REDIS_PASSWORD: 'REDIS_PASSWORD' },
        restoreInMemory: true,
      },
      exporter: {
        image: { repository: 'docker.io/oliver006/redis_exporter', tag: 'v1.67.0' },
        port: 9121,
        env: { REDIS_ADDR: `redis://127.0.0.1:${Redis.PORT}`, REDIS_PASSWORD: '$(REDIS_PASSWORD)' },
      },
    });
    this.primaryService = name;
    this.replicasService = `${name}-replicas`;
  }
}
