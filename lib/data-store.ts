import { k8s } from './k8s';
import { Construct } from 'constructs';
import type { DataStoreOverride, Resources } from '../environments/schema';
import { ConfigError, describeSubject, ErrorSubject } from './errors';
import { backupSettings, DataStoreBackup } from './data-store-backup';
import { BackupMethod } from './component-record';
import { DataStoreExporterProps, DataStoreMetrics, exporterContainer } from './data-store-exporter';
import { ServiceSecret, ServiceSecretProps } from './external-secret';
import { ImageReference, imageVersion, resolveImage } from './image';
import { appLabels, selectorLabels } from './labels';
import { PlatformChart } from './platform-chart';
import { exemption } from './policy/gate';
import type { ComponentPort, DataStoreEngine } from './component-record';
import type { ResolvedProbes } from './probes';
import { toResourceRequirements } from './resources';
import { writableVolumes } from './writable-volumes';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';
import { DO_NOT_DISRUPT, UNHEALTHY_POD_EVICTION } from './disruption';
import { podSpreadConstraints } from './topology';
import { byCodePoint } from './validation';
import { checkName, checkProps, dataStoreCommonSchema } from './props-schemas';

/** What a concrete data store (MySQL, MongoDB, Redis, PostgreSQL) tells the base construct. */
export interface DataStoreProps {
  /** What the store is, for the alerts and dashboards that know its exporter's metrics. */
  readonly engine: DataStoreEngine;
  /** Image, pinned by tag or digest; environments may replace tag or digest. */
  readonly image: ImageReference;
  /** How the members relate, in a few words, e.g. `replica set rs0`. @default none */
  readonly membersRole?: string;
  /** `app.kubernetes.io/component`. @default 'database' */
  readonly component?: string;
  /** Members of the StatefulSet, as the platform needs them. */
  readonly replicas: number;
  /** The member count is part of the design (a singleton); environments cannot change it. @default false */
  readonly fixedReplicas?: boolean;
  /** Requests and limits; environments override. */
  readonly resources: Resources;
  /** Size of each member's volume; environments override. */
  readonly storage: string;
  /** Where the volume is mounted. */
  readonly dataPath: string;
  /** Ports of the store; a port served by a sidecar names it (`sidecar`), the others are the server's. */
  readonly ports: readonly { readonly name: string; readonly port: number; readonly sidecar?: string }[];
  readonly probes: Omit<ResolvedProbes, 'readinessPath'>;
  /** The numeric user the image's server runs as. */
  readonly runAsUser: number;
  /** Container command. @default the image's entrypoint */
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** Plain environment variables. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Credentials from AWS: each becomes a Secret and environment variables. @default none */
  readonly secrets?: readonly (Omit<ServiceSecretProps, 'owner' | 'component' | 'keys'> & {
    readonly secretName: string;
    readonly env: Readonly<Record<string, string>>;
    /** Mount the secret's keys as files here instead of environment variables. */
    readonly mountPath?: string;
  })[];
  /** Writable emptyDir paths besides the data volume; the root filesystem is read-only. @default ['/tmp'] */
  readonly writablePaths?: readonly string[];
  /** Writable memory-backed emptyDirs (tmpfs) for generated files that hold credentials, never on the node's disk. @default none */
  readonly secretPaths?: readonly string[];
  /** Members replicate to each other: required zone spread, peer traffic, parallel start. @default false */
  readonly replicated?: boolean;
  /** Containers that run before the server (after volumes are mounted). @default none */
  readonly initContainers?: readonly DataStoreHelper[];
  /** Containers beside the server, e.g. a replica-set initiator. @default none */
  readonly sidecars?: readonly DataStoreHelper[];
  /** Pods the client Service `<name>` reaches, e.g. only the primary. @default every member */
  readonly clientSelector?: Record<string, string>;
  /** Policy rules the StatefulSet opts out of, each with the reason (see lib/policy). @default none */
  readonly policyExemptions?: Readonly<Record<string, string>>;
  /**
   * How the store is dumped and restored; environments with `backups` then schedule it (and may turn it off
   * per store). Credentials come from the first of `secrets`. @default never backed up
   */
  readonly backup?: BackupMethod;
  /** Prometheus exporter beside each member, scraped through `<name>-metrics`. @default none */
  readonly exporter?: DataStoreExporterProps;
  /** Extra client Services, e.g. one for read replicas. @default none */
  readonly extraServices?: readonly { readonly name: string; readonly selector: Record<string, string> }[];
}

/** How people write the engines' names, for diagrams. */
const ENGINE_NAMES: Record<DataStoreEngine, string> = { mysql: 'MySQL', mongodb: 'MongoDB', redis: 'Redis', postgres: 'PostgreSQL' };

/**
 * An init container or sidecar of a data store. It runs the store's image with the writable paths mounted,
 * and gets **only** the credentials it names: the store's secret environment variables in `credentials`, the
 * store's mounted secrets in `secretMounts`. Nothing is inherited from the server container.
 */
export type DataStoreHelper = Partial<k8s.Container> & {
  readonly name: string;
  /** Environment variables of the store's `secrets` (not mounted ones) this container needs. @default none */
  readonly credentials?: readonly string[];
  /** `secretName`s of the store's mounted secrets this container needs. @default none */
  readonly secretMounts?: readonly string[];
  /** The data volume too. @default false */
  readonly dataVolume?: boolean;
};

const CONTROLLER_POD_NAME = 'statefulset.kubernetes.io/pod-name';

/** Everything the store's objects are made from, decided and validated before the first one is. */
interface StorePlan {
  readonly name: string;
  /** Whom errors name: the environment, the platform and the store. */
  readonly subject: ErrorSubject;
  readonly chart: PlatformChart;
  readonly props: DataStoreProps;
  readonly override: DataStoreOverride;
  readonly replicas: number;
  readonly imageRef: string;
  readonly resources: Resources;
  readonly storage: string;
  readonly component: string;
  /** Labels of the pods (with the version) and of every other object (without). */
  readonly podLabels: Record<string, string>;
  readonly objectLabels: Record<string, string>;
  readonly selector: Record<string, string>;
}

/** What the server's container gets: variables, credentials and volumes; helpers pick from it. */
interface StorePod {
  readonly env: k8s.EnvVar[];
  readonly volumes: k8s.Volume[];
  /** The data volume first, then mounted secrets, then the writable paths. */
  readonly mounts: k8s.VolumeMount[];
  /** The writable paths alone, which every helper gets too. */
  readonly writableMounts: readonly k8s.VolumeMount[];
  readonly securityContext: k8s.SecurityContext;
}

/**
 * A StatefulSet-based data store with production defaults: a PVC per member (storage class from the cluster
 * facts), a headless Service for stable member DNS names and a client Service, probes, requests and limits,
 * the restricted security context with a read-only root filesystem, zone spread and a PodDisruptionBudget.
 */
export class DataStore extends Construct {
  public readonly name: string;
  public readonly headlessService: string;
  public readonly replicas: number;
  public readonly ports: readonly ComponentPort[];

  constructor(scope: Construct, name: string, props: DataStoreProps) {
    super(scope, name);
    this.name = name;
    this.headlessService = `${name}-headless`;
    const plan = this.plan(name, props);
    this.replicas = plan.replicas;
    this.ports = props.ports.map((p) => ({ name: p.name, port: p.port, containerPort: p.port }));
    this.serviceAccount(plan);
    const pod = this.pod(plan);
    this.services(plan);
    this.statefulSet(plan, pod);
    this.disruptionBudget(plan);
    this.backup(plan);
    const metrics = props.exporter
      ? new DataStoreMetrics(this, 'metrics', { name, labels: plan.objectLabels, selector: plan.selector, port: props.exporter.port })
      : undefined;
    this.register(plan, metrics);
  }

  /** Validates the props and settles members, image, resources and storage with the environment's overrides. */
  private plan(name: string, props: DataStoreProps): StorePlan {
    const chart = PlatformChart.platformOf(this);
    const { env, context } = chart;
    const subject = context.subject(name, 'data-store');
    const override = context.dataStoreOverride(name);
    // Its headless Service is `<name>-headless`, a DNS label too.
    checkName(name, subject, chart.sourceFile, 54);
    checkProps(dataStoreCommonSchema, props, subject, chart.sourceFile);
    if (override.external !== undefined) {
      throw new ConfigError(subject, `dataStores.${name}.external is set in environments/${env.name}.ts, but platform ${context.platform} self-hosts ${name} unconditionally; the chart must choose ExternalDatabase for it (see environments/schema.ts)`);
    }
    if (props.fixedReplicas && override.replicas !== undefined && override.replicas !== props.replicas) {
      throw new ConfigError(subject, `replicas cannot be overridden: the data store runs exactly ${props.replicas} member(s) by design (remove platforms.${context.platform}.dataStores.${name}.replicas in environments/${env.name}.ts)`);
    }
    const replicas = override.replicas ?? props.replicas;
    if (!Number.isInteger(replicas) || replicas < 1) throw new ConfigError(subject, `replicas must be an integer ≥ 1, got ${replicas}`);
    const image = { ...props.image, ...(override.image ?? {}) };
    const imageRef = resolveImage(image, env.imagePolicy, subject, override.image
      ? `platforms.${context.platform}.dataStores.${name}.image in environments/${env.name}.ts`
      : `image in ${chart.sourceFile}`);
    const component = props.component ?? 'database';
    return {
      name, subject, chart, props, override, replicas, imageRef, component,
      resources: override.resources ?? props.resources,
      storage: override.storage ?? props.storage,
      podLabels: appLabels({ name, partOf: context.platform, component, version: imageVersion(image) }),
      objectLabels: appLabels({ name, partOf: context.platform, component }),
      selector: selectorLabels(name),
    };
  }

  /** The store's ServiceAccount, without a token: a data store calls no Kubernetes or AWS API. */
  private serviceAccount(plan: StorePlan): void {
    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: plan.name, labels: plan.objectLabels },
      automountServiceAccountToken: false,
    });
  }

  /** An ExternalSecret per remote secret, as variables or mounted files; the data volume and writable paths. */
  private pod(plan: StorePlan): StorePod {
    const { name, props, component } = plan;
    const env: k8s.EnvVar[] = Object.entries(props.env ?? {}).sort(([a], [b]) => byCodePoint(a, b)).map(([n, value]) => ({ name: n, value }));
    const volumes: k8s.Volume[] = [];
    const mounts: k8s.VolumeMount[] = [{ name: 'data', mountPath: props.dataPath }];
    for (const secret of props.secrets ?? []) {
      new ServiceSecret(this, secret.secretName, { ...secret, owner: name, component, keys: secret.env });
      if (secret.mountPath) {
        volumes.push({ name: secret.secretName, secret: { secretName: secret.secretName, defaultMode: 0o440 } });
        mounts.push({ name: secret.secretName, mountPath: secret.mountPath, readOnly: true });
      } else {
        for (const variable of Object.keys(secret.env).sort(byCodePoint)) {
          env.push({ name: variable, valueFrom: { secretKeyRef: { name: secret.secretName, key: variable } } });
        }
      }
    }
    const writable = writableVolumes(props.writablePaths ?? ['/tmp']);
    for (const [i, path] of (props.secretPaths ?? []).entries()) {
      writable.volumes.push({ name: `secret-files-${i}`, emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } });
      writable.mounts.push({ name: `secret-files-${i}`, mountPath: path });
    }
    volumes.push(...writable.volumes);
    mounts.push(...writable.mounts);
    return { env, volumes, mounts, writableMounts: writable.mounts, securityContext: restrictedContainerSecurityContext(props.runAsUser) };
  }

  /** The headless Service members find each other by, the client Service, and any extra client Services. */
  private services(plan: StorePlan): void {
    const { name, props, objectLabels, selector } = plan;
    const servicePorts = props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' }));
    new k8s.KubeService(this, 'headless', {
      metadata: { name: this.headlessService, labels: objectLabels },
      // Members must find each other before they are ready (replica-set bootstrap).
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector, ports: servicePorts },
    });
    new k8s.KubeService(this, 'service', {
      metadata: { name, labels: objectLabels },
      spec: { type: 'ClusterIP', selector: props.clientSelector ?? selector, ports: servicePorts },
    });
    for (const extra of props.extraServices ?? []) {
      new k8s.KubeService(this, `service-${extra.name}`, {
        metadata: { name: extra.name, labels: objectLabels },
        spec: { type: 'ClusterIP', selector: extra.selector, ports: servicePorts },
      });
    }
  }

  private statefulSet(plan: StorePlan, pod: StorePod): void {
    const { name, props, replicas, selector, component, chart: { env } } = plan;
    const helper = (h: DataStoreHelper) => this.helperContainer(plan, pod, h);
    new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: {
        name,
        labels: plan.objectLabels,
        ...(props.policyExemptions ? { annotations: Object.assign({}, ...Object.entries(props.policyExemptions).map(([rule, reason]) => exemption(rule, reason))) } : {}),
      },
      spec: {
        replicas,
        serviceName: this.headlessService,
        podManagementPolicy: props.replicated ? 'Parallel' : 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: selector },
        // A review environment's data lives no longer than it does: its volumes go with the StatefulSet.
        persistentVolumeClaimRetentionPolicy: env.review ? { whenDeleted: 'Delete', whenScaled: 'Delete' } : { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          // A single member on one zonal volume: a Karpenter consolidation would take the store down.
          metadata: { labels: plan.podLabels, ...(replicas === 1 ? { annotations: DO_NOT_DISRUPT } : {}) },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(props.runAsUser),
            terminationGracePeriodSeconds: 60,
            topologySpreadConstraints: podSpreadConstraints(selector, false, props.replicated),
            ...(props.initContainers ? { initContainers: props.initContainers.map(helper) } : {}),
            containers: [
              {
                name: component === 'cache' ? 'cache' : 'database',
                image: plan.imageRef,
                imagePullPolicy: 'IfNotPresent',
                ...(props.command ? { command: [...props.command] } : {}),
                ...(props.args ? { args: [...props.args] } : {}),
                ports: props.ports.filter((p) => !p.sidecar).map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
                ...(pod.env.length > 0 ? { env: pod.env } : {}),
                resources: toResourceRequirements(plan.resources),
                readinessProbe: props.probes.readiness,
                livenessProbe: props.probes.liveness,
                startupProbe: props.probes.startup,
                securityContext: pod.securityContext,
                volumeMounts: pod.mounts,
              },
              ...(props.sidecars ?? []).map(helper),
              ...(props.exporter ? [exporterContainer(props.exporter, pod.env, env.imagePolicy, plan.subject)] : []),
            ],
            volumes: pod.volumes,
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: selector },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: env.cluster.storage_class,
              resources: { requests: { storage: k8s.Quantity.fromString(plan.storage) } },
            },
          },
        ],
      },
    });
  }

  /** An init container or sidecar: the store's image and writable paths, and only the credentials it names. */
  private helperContainer(plan: StorePlan, pod: StorePod, { credentials = [], secretMounts = [], dataVolume = false, env: ownEnv, volumeMounts: ownMounts, ...c }: DataStoreHelper): k8s.Container {
    for (const variable of credentials) {
      if (!pod.env.some((e) => e.name === variable && e.valueFrom)) throw new Error(`${describeSubject(plan.subject)}: helper ${c.name} asks for credential ${variable}, which no secret of the store provides`);
    }
    const helperEnv = [...(ownEnv ?? []), ...pod.env.filter((e) => e.valueFrom && credentials.includes(e.name))];
    const helperMounts = [
      ...(dataVolume ? [pod.mounts[0]] : []),
      ...pod.mounts.filter((m) => secretMounts.includes(m.name)),
      ...pod.writableMounts,
      ...(ownMounts ?? []),
    ];
    const ownPorts = plan.props.ports.filter((p) => p.sidecar === c.name).map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' }));
    return {
      image: plan.imageRef,
      imagePullPolicy: 'IfNotPresent',
      securityContext: pod.securityContext,
      resources: toResourceRequirements({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } }),
      volumeMounts: helperMounts,
      ...(helperEnv.length > 0 ? { env: helperEnv } : {}),
      ...c,
      ...(c.ports || ownPorts.length === 0 ? {} : { ports: ownPorts }),
    };
  }

  private disruptionBudget(plan: StorePlan): void {
    if (plan.replicas <= 1) return;
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: plan.name, labels: plan.objectLabels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: plan.selector }, unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION },
    });
  }

  /** The scheduled dump to S3, where the environment backs the store up. */
  private backup(plan: StorePlan): void {
    const { name, subject, props, override, chart: { env, context } } = plan;
    if (override.backup !== undefined && !props.backup) {
      throw new ConfigError(subject, `dataStores.${name}.backup is set in environments/${env.name}.ts, but ${name} has no backup method`);
    }
    const settings = props.backup ? backupSettings(env, override) : undefined;
    if (props.backup && settings) {
      new DataStoreBackup(this, 'backup', context, {
        store: name, engine: props.engine, image: plan.imageRef, runAsUser: props.runAsUser, method: props.backup, settings,
        credentialsSecret: props.secrets![0].secretName, storage: plan.storage, storeResources: plan.resources, labels: plan.objectLabels,
      });
    }
  }

  /** Records the store in the platform's registry: network policies, alerts, dashboards and diagrams read it. */
  private register(plan: StorePlan, metrics: DataStoreMetrics | undefined): void {
    const { name, props } = plan;
    plan.chart.context.register({
      name,
      kind: 'data-store',
      engine: props.engine,
      metricsPort: props.exporter?.port,
      metricsJob: metrics?.job,
      chart: plan.chart.node.id,
      podSelector: plan.selector,
      ports: this.ports,
      dependsOn: [],
      peerPorts: props.replicated ? props.ports.map((p) => p.port) : undefined,
      scale: { replicas: plan.replicas, ...(props.fixedReplicas ? { fixed: true } : {}) },
      engineName: ENGINE_NAMES[props.engine],
      ...(props.membersRole ? { membersRole: props.membersRole } : {}),
    });
  }
}

/** Selector of one member, e.g. the primary; the StatefulSet controller sets this label on each pod. */
export function memberSelector(name: string, ordinal: number): Record<string, string> {
  return { ...selectorLabels(name), [CONTROLLER_POD_NAME]: `${name}-${ordinal}` };
}

/** DNS name of member `ordinal` through the headless Service, stable across restarts. */
export function memberHost(name: string, namespace: string, ordinal: number): string {
  return `${name}-${ordinal}.${name}-headless.${namespace}.svc.cluster.local`;
}
