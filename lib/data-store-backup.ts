import { k8s } from './k8s';
import { byCodePoint } from './validation';
import { Construct } from 'constructs';
import type { BackupSettings, DataStoreOverride, Environment, Resources } from '../environments/schema';
import { longestGapSeconds } from './backup-schedule';
import { DO_NOT_DISRUPT } from './disruption';
import { selectorLabels } from './labels';
import type { BackupMethod, BackupRecord, DataStoreEngine, RestorePlan } from './component-record';
import type { PlatformContext } from './platform-context';
import { toResourceRequirements } from './resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';
import { writableVolumes } from './writable-volumes';

/** The AWS CLI image that moves dumps to and from S3, pinned. */
export const AWS_CLI_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.27.0';
/** Where the dump lives between the two containers of a backup or restore pod. */
const BACKUP_DIR = '/backup';
/** Longest a backup run may take; the backup-age alert allows for it on top of the schedule's longest gap. */
export const BACKUP_DEADLINE_SECONDS = 2 * 3600;
const CLIENT_RESOURCES: Resources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } };
const AWS_CLI_RESOURCES: Resources = { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } };

/** The environment's backup settings for one store, or `undefined` when it is not backed up there. */
export function backupSettings(env: Environment, override: DataStoreOverride): BackupSettings | undefined {
  if (override.backup === false || (!env.backups && override.backup === undefined)) return undefined;
  const settings = { ...(env.backups ?? {}), ...(override.backup ?? {}) };
  if (settings.schedule === undefined || settings.retentionDays === undefined) return undefined;
  return settings as BackupSettings;
}

export interface DataStoreBackupProps {
  readonly store: string;
  readonly engine: DataStoreEngine;
  /** The store's own image, resolved: its client tools match the server. */
  readonly image: string;
  readonly runAsUser: number;
  readonly method: BackupMethod;
  readonly settings: BackupSettings;
  readonly credentialsSecret: string;
  /** Size of the store's volume: the most a dump can need. */
  readonly storage: string;
  readonly storeResources: Resources;
  readonly labels: Record<string, string>;
}

const scratchVolume = (storage: string): k8s.Volume => ({ name: 'backup', emptyDir: { sizeLimit: k8s.Quantity.fromString(storage) } });

function awsEnv(env: Environment, extra: Record<string, string>): k8s.EnvVar[] {
  const vars: Record<string, string> = {
    AWS_DEFAULT_REGION: env.cluster.region,
    AWS_REGION: env.cluster.region,
    AWS_STS_REGIONAL_ENDPOINTS: 'regional',
    BUCKET_OWNER: env.cluster.account_id,
    // The CLI writes its cache below $HOME; the root filesystem is read-only.
    HOME: '/tmp',
    ...extra,
  };
  return Object.entries(vars).sort(([a], [b]) => byCodePoint(a, b)).map(([name, value]) => ({ name, value }));
}

function credentialEnv(secret: string, credentials: Readonly<Record<string, string>>): k8s.EnvVar[] {
  return Object.entries(credentials).sort(([a], [b]) => byCodePoint(a, b))
    .map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } }));
}

function container(name: string, image: string, uid: number, script: string, env: k8s.EnvVar[], resources: Resources, mounts: k8s.VolumeMount[]): k8s.Container {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', script],
    env,
    resources: toResourceRequirements(resources),
    securityContext: restrictedContainerSecurityContext(uid),
    volumeMounts: mounts,
  };
}

// Upload with a timestamped key, then delete what is older than the retention. Only after a successful
// upload: a failing backup never prunes the dumps it would have replaced.
const UPLOAD = [
  'set -eu',
  'key="$PREFIX/$(date -u +%Y%m%dT%H%M%SZ)-$DUMP_FILE"',
  'aws s3 cp --only-show-errors --expected-bucket-owner "$BUCKET_OWNER" "/backup/$DUMP_FILE" "s3://$BUCKET/$key"',
  'echo "backed up to s3://$BUCKET/$key ($(wc -c < "/backup/$DUMP_FILE") bytes)"',
  'cutoff="$(date -u -d "-$RETENTION_DAYS days" +%Y-%m-%dT%H:%M:%S)"',
  'aws s3api list-objects-v2 --expected-bucket-owner "$BUCKET_OWNER" --bucket "$BUCKET" --prefix "$PREFIX/" \\',
  '  --query "Contents[?LastModified<\'$cutoff\'].Key" --output text | tr "\\t" "\\n" | while read -r old; do',
  '  if [ -n "$old" ] && [ "$old" != None ]; then aws s3 rm --only-show-errors "s3://$BUCKET/$old" && echo "deleted s3://$BUCKET/$old"; fi',
  'done',
].join('\n');

// The newest dump unless BACKUP_KEY names one (a key below the prefix, as `aws s3 ls` shows it).
const DOWNLOAD = [
  'set -eu',
  'key="${BACKUP_KEY:-}"',
  'if [ -z "$key" ]; then',
  '  key="$(aws s3api list-objects-v2 --expected-bucket-owner "$BUCKET_OWNER" --bucket "$BUCKET" --prefix "$PREFIX/" --query "sort_by(Contents, &LastModified)[-1].Key" --output text)"',
  'fi',
  'case "$key" in "$PREFIX"/*) ;; *) key="$PREFIX/$key" ;; esac',
  'if [ "$key" = "$PREFIX/None" ] || [ "$key" = "$PREFIX/" ]; then echo "no backup below s3://$BUCKET/$PREFIX/" >&2; exit 1; fi',
  'aws s3 cp --only-show-errors --expected-bucket-owner "$BUCKET_OWNER" "s3://$BUCKET/$key" "/backup/$DUMP_FILE"',
  'echo "restoring s3://$BUCKET/$key"',
].join('\n');

/**
 * Scheduled logical backups of one data store: a CronJob whose pod dumps the store with the store's own
 * image (an init container, over the network like any client) and uploads the dump with the AWS CLI to
 * `s3://<backup_bucket>/<env>/<platform>/<store>/`, through the IRSA role of the cluster facts, then prunes
 * dumps older than the retention. It runs under the restricted security context with requests and limits
 * like every workload; its NetworkPolicy (derived) lets it reach the store and AWS APIs only. It also
 * records the restore plan, which the render turns into `restore/<store>.yaml` (see DataStoreRestore).
 */
export class DataStoreBackup extends Construct {
  public readonly cronJobName: string;

  constructor(scope: Construct, id: string, context: PlatformContext, props: DataStoreBackupProps) {
    super(scope, id);
    const { env } = context;
    const name = `${props.store}-backup`;
    this.cronJobName = name;
    // The environment was validated with backups only if the facts have both (environments/index.ts).
    const bucket = env.cluster.backup_bucket!;
    const roleArn = env.cluster.backup_role_arn!;
    const prefix = `${env.name}/${context.platform}/${props.store}`;
    const labels = { ...props.labels, 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'backup' };
    const podLabels = { ...labels, ...selectorLabels(name) };

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name, labels, annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
      automountServiceAccountToken: true,
    });

    const writable = writableVolumes(['/tmp']);
    const mounts = [{ name: 'backup', mountPath: BACKUP_DIR }, ...writable.mounts];
    const dumpEnv = [{ name: 'DUMP_FILE', value: props.method.file }, ...credentialEnv(props.credentialsSecret, props.method.credentials)];
    new k8s.KubeCronJob(this, 'cronjob', {
      metadata: { name, labels },
      spec: {
        schedule: props.settings.schedule,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        // A run missed by more than an hour (controller down) is skipped; the backup-age alert says so.
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
            template: {
              // Karpenter consolidating the node mid-dump would kill the run; a backup pod is short-lived.
              metadata: { labels: podLabels, annotations: DO_NOT_DISRUPT },
              spec: {
                serviceAccountName: name,
                automountServiceAccountToken: true,
                enableServiceLinks: false,
                restartPolicy: 'Never',
                securityContext: restrictedPodSecurityContext(props.runAsUser),
                initContainers: [container('dump', props.image, props.runAsUser, props.method.dump, dumpEnv, CLIENT_RESOURCES, mounts)],
                containers: [container('upload', AWS_CLI_IMAGE, props.runAsUser, UPLOAD,
                  awsEnv(env, { BUCKET: bucket, DUMP_FILE: props.method.file, PREFIX: prefix, RETENTION_DAYS: String(props.settings.retentionDays) }),
                  AWS_CLI_RESOURCES, mounts)],
                volumes: [scratchVolume(props.storage), ...writable.volumes],
              },
            },
          },
        },
      },
    });

    const backup: BackupRecord = {
      store: props.store,
      cronJob: name,
      schedule: props.settings.schedule,
      maxAgeSeconds: longestGapSeconds(props.settings.schedule) + BACKUP_DEADLINE_SECONDS,
    };
    const dependsOn = [{ target: props.store }];
    context.register({ name, kind: 'job', chart: '', podSelector: selectorLabels(name), ports: [], dependsOn, awsAccess: true, backup });
    const restore: RestorePlan = {
      store: props.store, engine: props.engine, image: props.image, runAsUser: props.runAsUser, method: props.method,
      credentialsSecret: props.credentialsSecret, serviceAccount: name, bucket, prefix, storage: props.storage,
      restoreResources: props.method.restoreInMemory ? props.storeResources : CLIENT_RESOURCES, labels: props.labels,
    };
    context.register({ name: `${props.store}-restore`, kind: 'job', chart: 'restore', podSelector: selectorLabels(`${props.store}-restore`), ports: [], dependsOn, awsAccess: true, restore });
  }
}

/**
 * The restore procedure of one store as a one-off Job, rendered to `dist/<env>/<platform>/restore/<store>.yaml`.
 * Argo CD does not sync that folder (its Applications do not recurse), so nothing restores by accident; an
 * operator creates the Job (docs/operations.md). It downloads the newest dump, or the one BACKUP_KEY names,
 * and loads it into the running store with the store's own client tools. It never retries: a failed restore
 * is looked at, not repeated over a half-restored store.
 */
export class DataStoreRestore extends Construct {
  constructor(scope: Construct, id: string, env: Environment, plan: RestorePlan) {
    super(scope, id);
    const name = `${plan.store}-restore`;
    const labels = { ...plan.labels, 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'restore' };
    const writable = writableVolumes(['/tmp']);
    const mounts = [{ name: 'backup', mountPath: BACKUP_DIR }, ...writable.mounts];
    new k8s.KubeJob(this, 'job', {
      metadata: { name, labels },
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: 7 * 86400,
        template: {
          metadata: { labels: { ...labels, ...selectorLabels(name) }, annotations: DO_NOT_DISRUPT },
          spec: {
            serviceAccountName: plan.serviceAccount,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            restartPolicy: 'Never',
            securityContext: restrictedPodSecurityContext(plan.runAsUser),
            initContainers: [container('download', AWS_CLI_IMAGE, plan.runAsUser, DOWNLOAD,
              // Empty: the newest dump. Set it to restore an older one (docs/operations.md).
              awsEnv(env, { BACKUP_KEY: '', BUCKET: plan.bucket, DUMP_FILE: plan.method.file, PREFIX: plan.prefix }),
              AWS_CLI_RESOURCES, mounts)],
            containers: [container('restore', plan.image, plan.runAsUser, plan.method.restore,
              [{ name: 'DUMP_FILE', value: plan.method.file }, ...credentialEnv(plan.credentialsSecret, plan.method.credentials)],
              plan.restoreResources, mounts)],
            volumes: [scratchVolume(plan.storage), ...writable.volumes],
          },
        },
      },
    });
  }
}
