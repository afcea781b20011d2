import { createHash } from 'node:crypto';
import { k8s } from './k8s';
import { Construct } from 'constructs';
import { releaseFileName } from '../environments/releases';
import type { Autoscaling, Resources, ServiceOverride } from '../environments/schema';
import { AWS_LOAD_BALANCER_DRAINING, ConnectionDraining, preStopSleep } from './connection-draining';
import { ConfigError, ErrorSubject } from './errors';
import type { CaBundle } from './external-database';
import type { Exposure } from './exposure';
import { PlannedHost, planExposure } from './exposure-plan';
import { checkName, checkProps, microservicePropsSchema } from './props-schemas';
import { ImageReference, imageVersion, resolveImage } from './image';
import { renderIngresses } from './ingress';
import { appLabels, selectorLabels } from './labels';
import { renderLoadBalancerService } from './load-balancer-service';
import { PlatformChart } from './platform-chart';
import { entryPointsOf } from './entry-points';
import type { ComponentPort, Dependency, EntryPoint, TrafficSource } from './component-record';
import { DEFAULT_AVAILABILITY_OBJECTIVE, HttpMetrics } from './http-metrics';
import { TRACES_DEPENDENCY, tracingConfig } from './otel-collector';
import { HttpHealthChecks, httpProbes, ResolvedProbes } from './probes';
import { toResourceRequirements } from './resources';
import { writableVolumes } from './writable-volumes';
import { DEFAULT_RUN_AS_USER, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';
import { ServiceMonitorFor } from './service-monitor';
import { ServiceSecret, ServiceSecretProps } from './external-secret';
import { DO_NOT_DISRUPT, UNHEALTHY_POD_EVICTION } from './disruption';
import { podSpreadConstraints } from './topology';
import { byCodePoint } from './validation';

/** Credentials from AWS, injected as environment variables. */
export interface SecretEnvironment extends Omit<ServiceSecretProps, 'owner' | 'keys' | 'component'> {
  /** Name of the Kubernetes Secret (and ExternalSecret). @default `<service>-<remoteKey's last segment>` */
  readonly secretName?: string;
  /** Environment variable → property of the remote secret. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Scaling, as the platform team sizes it: exactly one of three shapes. Environments may replace `replicas`
 * and `autoscaling` (with either), never `fixed`.
 */
export type MicroserviceScaling =
  /**
   * The service runs exactly this many copies and never more (state kept in memory): no HPA or PDB,
   * updates recreate the pod, environments cannot change it.
   */
  | { readonly fixed: number; readonly replicas?: never; readonly autoscaling?: never }
  /** This many copies, no HPA. */
  | { readonly replicas: number; readonly fixed?: never; readonly autoscaling?: never }
  /** An HPA owns the count within these bounds; the Deployment carries no replicas field. */
  | { readonly autoscaling: Autoscaling; readonly fixed?: never; readonly replicas?: never };

export interface MicroserviceProps {
  /** Image, pinned by tag or digest; environments may replace tag or digest. */
  readonly image: ImageReference;
  /** `app.kubernetes.io/component`. @default 'backend' */
  readonly component?: string;
  /** Port the container serves HTTP on, named `http`. @default 8080 */
  readonly port?: number;
  /** Further named container ports, also opened on the Service. @default none */
  readonly extraPorts?: readonly { readonly name: string; readonly port: number }[];
  readonly scaling: MicroserviceScaling;
  /** Requests and limits. Environments override. */
  readonly resources: Resources;
  /** Health endpoints for the probes. @default '/health/ready', '/health/live', 180 s to start */
  readonly health?: HttpHealthChecks;
  /** Non-secret configuration: a ConfigMap injected as environment variables; environments add or replace keys. @default none */
  readonly config?: Readonly<Record<string, string>>;
  /** Files from a ConfigMap mounted read-only, e.g. an nginx.conf. @default none */
  readonly configFiles?: { readonly mountPath: string; readonly files: Readonly<Record<string, string>> };
  /** CA bundles (e.g. an ExternalDatabase's RDS CAs) mounted read-only for the client to verify servers with. @default none */
  readonly caBundles?: readonly CaBundle[];
  /** Credentials from AWS Secrets Manager or SSM Parameter Store. @default none */
  readonly secrets?: readonly SecretEnvironment[];
  /** Components of the platform this service calls; the only ones its network policy lets it reach. @default none */
  readonly dependsOn?: readonly Dependency[];
  /** How the service is reached from outside its namespace. @default { type: 'internal' } */
  readonly exposure?: Exposure;
  /**
   * The Service is a NodePort (an ALB in front of it then targets instances). @default false
   */
  readonly nodePort?: boolean;
  /** The service must never be reachable from the internet: only private hostnames. @default false */
  readonly internal?: boolean;
  /**
   * Key of the IAM role in the cluster facts' `service_account_role_arns`: the pods get that role (IRSA) and a
   * service-account token. Without it, no token is mounted. @default no AWS access
   */
  readonly awsRole?: string;
  /** Prometheus metrics endpoint; a ServiceMonitor scrapes it. @default not scraped */
  readonly metrics?: {
    readonly port?: number;
    readonly path?: string;
    /** The endpoint reports HTTP requests so: error-budget alerts and dashboard panels follow. @default not reported */
    readonly http?: HttpMetrics;
    /** Share of requests that must succeed (not 5xx) over 30 days. @default 0.999 */
    readonly availabilityObjective?: number;
  };
  /**
   * The service emits OpenTelemetry traces: it gets the OTLP endpoint of the platform's collector (rendered
   * with it) through standard `OTEL_*` configuration, and its network policy reaches the collector.
   * @default false
   */
  readonly traces?: boolean;
  /** Numeric user and group the container runs as. @default 10001 */
  readonly runAsUser?: number;
  /** Writable emptyDir paths; the root filesystem is read-only. @default ['/tmp'] */
  readonly writablePaths?: readonly string[];
  /** Container command and arguments. @default the image's */
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}

/** How many pods run, once the chart, the environment and a review environment have had their say. */
interface ResolvedScaling {
  /** The count is part of the design (`scaling: { fixed }`). */
  readonly fixed: boolean;
  /** The Deployment's count; with an HPA, its minimum. */
  readonly replicas: number;
  /** Present when an HPA owns the count. */
  readonly autoscaling?: Autoscaling;
}

/** Everything the service's objects are made from, decided and validated before the first one is. */
interface ServicePlan {
  readonly name: string;
  /** Whom errors name: the environment, the platform and the service. */
  readonly subject: ErrorSubject;
  readonly chart: PlatformChart;
  readonly props: MicroserviceProps;
  readonly override: ServiceOverride;
  readonly scaling: ResolvedScaling;
  readonly resources: Resources;
  /** The image as the release (or the chart) pins it, and the reference the container runs. */
  readonly image: ImageReference;
  readonly imageRef: string;
  readonly exposure: Exposure;
  readonly uid: number;
  /** The `http` container port. */
  readonly port: number;
  readonly containerPorts: readonly { readonly name: string; readonly port: number }[];
  readonly probes: ResolvedProbes;
  /** Set when an ALB or NLB sends to the pods: they drain before they stop (lib/connection-draining.ts). */
  readonly draining?: ConnectionDraining;
  /** Labels of the pods (with the version) and of every other object (without). */
  readonly podLabels: Record<string, string>;
  readonly objectLabels: Record<string, string>;
  readonly selector: Record<string, string>;
}

/** What the Deployment's pods get from the ConfigMaps, CA bundles and writable paths. */
interface Configuration {
  readonly envFrom: k8s.EnvFromSource[];
  readonly volumes: k8s.Volume[];
  readonly volumeMounts: k8s.VolumeMount[];
  /** Digest of every configuration value, when there is any: a change rolls the pods. */
  readonly checksum?: string;
}

/** How the service is reached from outside its namespace, as the environment's exposure plan decided. */
interface ExposureResult {
  readonly hosts: readonly PlannedHost[];
  readonly exposedTo: { source: TrafficSource; ports: number[]; targetType?: 'ip' | 'instance' }[];
  readonly entryPoints: readonly EntryPoint[];
}

/**
 * A stateless HTTP microservice with production defaults: Deployment, Service, ServiceAccount, ConfigMap,
 * ExternalSecrets, PodDisruptionBudget, HPA, Ingress or load balancer, ServiceMonitor. The construct's id is
 * the service name and the name of every object.
 */
export class Microservice extends Construct {
  public readonly name: string;
  public readonly hosts: readonly PlannedHost[];
  public readonly ports: readonly ComponentPort[];

  constructor(scope: Construct, name: string, props: MicroserviceProps) {
    super(scope, name);
    this.name = name;
    const plan = this.plan(name, props);
    this.ports = plan.containerPorts.map((p) => ({ name: p.name, port: p.name === 'http' ? 80 : p.port, containerPort: p.port }));
    const roleArn = this.serviceAccount(plan);
    const configuration = this.configuration(plan);
    const secretEnv = this.secrets(plan);
    this.deployment(plan, roleArn, configuration, secretEnv);
    this.scalers(plan);
    const exposure = this.exposure(plan);
    this.hosts = exposure.hosts;
    this.serviceMonitor(plan);
    this.register(plan, roleArn, exposure);
  }

  /** Validates the props and settles scaling, resources, image and ports with the environment's overrides. */
  private plan(name: string, props: MicroserviceProps): ServicePlan {
    const chart = PlatformChart.platformOf(this);
    const { env, context } = chart;
    const subject = context.subject(name);
    const override = context.serviceOverride(name);
    checkName(name, subject, chart.sourceFile);
    checkProps(microservicePropsSchema, props, subject, chart.sourceFile);
    const scaling = resolveScaling(chart, name, subject, props.scaling, override);
    const resources = override.resources ?? props.resources;
    // The release (releases/<env>.json) replaces the chart's tag and digest; the repository stays the chart's.
    const release = context.release(name);
    const image: ImageReference = release ? { repository: props.image.repository, tag: release.tag, digest: release.digest } : props.image;
    const imageRef = resolveImage(image, env.imagePolicy, subject, release ? releaseFileName(env.name) : `image in ${chart.sourceFile}`,
      `no release recorded: add "${context.platform}": { "${name}": { "tag": "…" } } to ${releaseFileName(env.name)} ` +
        `(npm run release -- set --env ${env.name} --service ${context.platform}/${name} --tag <tag>)`);
    const exposure = props.exposure ?? { type: 'internal' };
    const port = props.port ?? 8080;
    // Targets of an ALB or NLB drain before they stop (lib/connection-draining.ts); the IP targets among them
    // also get the controller's readiness gate through their namespace's label.
    const draining = exposure.type === 'alb-ingress' || exposure.type === 'load-balancer' ? AWS_LOAD_BALANCER_DRAINING : undefined;
    return {
      name, subject, chart, props, override, scaling, resources, image, imageRef, exposure, port, draining,
      uid: props.runAsUser ?? DEFAULT_RUN_AS_USER,
      containerPorts: containerPortsOf(props, port, subject),
      probes: httpProbes(props.health),
      podLabels: appLabels({ name, partOf: context.platform, component: props.component ?? 'backend', version: imageVersion(image) }),
      objectLabels: appLabels({ name, partOf: context.platform, component: props.component ?? 'backend' }),
      selector: selectorLabels(name),
    };
  }

  /** One ServiceAccount per service; a token (and an IRSA role) only for services that call AWS. Returns the role. */
  private serviceAccount(plan: ServicePlan): string | undefined {
    const { name, subject, props, chart: { env } } = plan;
    const roleArn = props.awsRole ? env.cluster.service_account_role_arns[props.awsRole] : undefined;
    if (props.awsRole && !roleArn) {
      throw new ConfigError(subject, `awsRole '${props.awsRole}' is not in the cluster facts' service_account_role_arns (have: ${Object.keys(env.cluster.service_account_role_arns).join(', ')})`);
    }
    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name, labels: plan.objectLabels, ...(roleArn ? { annotations: { 'eks.amazonaws.com/role-arn': roleArn } } : {}) },
      automountServiceAccountToken: roleArn !== undefined,
    });
    return roleArn;
  }

  /** The ConfigMaps of values and files, CA bundles and writable paths; a change to any value changes the checksum and so rolls the pods. */
  private configuration(plan: ServicePlan): Configuration {
    const { name, props, override, objectLabels, chart: { context } } = plan;
    const envFrom: k8s.EnvFromSource[] = [];
    const volumes: k8s.Volume[] = [];
    const volumeMounts: k8s.VolumeMount[] = [];
    const checksum = createHash('sha256');
    const config = {
      ...(props.traces ? tracingConfig(name, context) : {}),
      ...(props.metrics?.http?.config ?? {}),
      ...(props.config ?? {}),
      ...(override.config ?? {}),
    };
    if (Object.keys(config).length > 0) {
      const data = sortedRecord(config);
      new k8s.KubeConfigMap(this, 'config', { metadata: { name: `${name}-config`, labels: objectLabels }, data });
      envFrom.push({ configMapRef: { name: `${name}-config` } });
      checksum.update(JSON.stringify(data));
    }
    if (props.configFiles) {
      const data = sortedRecord(props.configFiles.files);
      new k8s.KubeConfigMap(this, 'files', { metadata: { name: `${name}-files`, labels: objectLabels }, data });
      volumes.push({ name: 'config-files', configMap: { name: `${name}-files` } });
      volumeMounts.push({ name: 'config-files', mountPath: props.configFiles.mountPath, readOnly: true });
      checksum.update(JSON.stringify(data));
    }
    const configured = envFrom.length > 0 || props.configFiles !== undefined;
    for (const bundle of props.caBundles ?? []) {
      volumes.push({ name: bundle.configMap, configMap: { name: bundle.configMap } });
      volumeMounts.push({ name: bundle.configMap, mountPath: bundle.mountPath, readOnly: true });
    }
    const writable = writableVolumes(props.writablePaths ?? ['/tmp']);
    volumes.push(...writable.volumes);
    volumeMounts.push(...writable.mounts);
    return { envFrom, volumes, volumeMounts, ...(configured ? { checksum: checksum.digest('hex') } : {}) };
  }

  /** An ExternalSecret per remote secret; returns the environment variables that read them. */
  private secrets(plan: ServicePlan): k8s.EnvVar[] {
    const secretEnv: k8s.EnvVar[] = [];
    for (const secret of plan.props.secrets ?? []) {
      const secretName = secret.secretName ?? `${plan.name}-${secret.remoteKey.split('/').pop()}`;
      new ServiceSecret(this, secretName, { ...secret, owner: plan.name, keys: secret.env });
      for (const variable of Object.keys(secret.env).sort(byCodePoint)) {
        secretEnv.push({ name: variable, valueFrom: { secretKeyRef: { name: secretName, key: variable } } });
      }
    }
    return secretEnv;
  }

  private deployment(plan: ServicePlan, roleArn: string | undefined, configuration: Configuration, secretEnv: readonly k8s.EnvVar[]): void {
    const { name, props, scaling, probes, draining, selector, uid } = plan;
    const { envFrom, volumes, volumeMounts, checksum } = configuration;
    const annotations = {
      ...(checksum !== undefined ? { 'checksum/config': checksum } : {}),
      // State in memory: a consolidation would lose it, so Karpenter must not move the pod voluntarily.
      ...(props.scaling.fixed ? DO_NOT_DISRUPT : {}),
    };
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, labels: plan.objectLabels },
      spec: {
        // With an HPA, the HPA owns the count: a replicas field here would fight it on every Argo CD sync.
        ...(scaling.autoscaling !== undefined ? {} : { replicas: scaling.replicas }),
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: scaling.fixed
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: plan.podLabels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: roleArn !== undefined,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(uid),
            terminationGracePeriodSeconds: draining?.terminationGracePeriodSeconds ?? 30,
            topologySpreadConstraints: podSpreadConstraints(selector, true),
            containers: [
              {
                name,
                image: plan.imageRef,
                imagePullPolicy: 'IfNotPresent',
                ...(props.command ? { command: [...props.command] } : {}),
                ...(props.args ? { args: [...props.args] } : {}),
                ports: plan.containerPorts.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
                ...(envFrom.length > 0 ? { envFrom } : {}),
                ...(secretEnv.length > 0 ? { env: [...secretEnv] } : {}),
                resources: toResourceRequirements(plan.resources),
                readinessProbe: probes.readiness,
                livenessProbe: probes.liveness,
                startupProbe: probes.startup,
                ...(draining ? { lifecycle: preStopSleep(draining) } : {}),
                securityContext: restrictedContainerSecurityContext(uid),
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    });
  }

  /** The HPA, when one owns the count, and a PodDisruptionBudget whenever more than one pod may run. */
  private scalers(plan: ServicePlan): void {
    const { name, objectLabels, scaling: { autoscaling, replicas } } = plan;
    if (autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: { name, labels: objectLabels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: autoscaling.minReplicas,
          maxReplicas: autoscaling.maxReplicas,
          metrics: [
            ...(autoscaling.targetCPUUtilizationPercentage ? [utilization('cpu', autoscaling.targetCPUUtilizationPercentage)] : []),
            ...(autoscaling.targetMemoryUtilizationPercentage ? [utilization('memory', autoscaling.targetMemoryUtilizationPercentage)] : []),
          ],
          // Scale out fast, scale in slowly: a brief dip must not drop capacity the next spike needs.
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }] },
            scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
          },
        },
      });
    }
    if ((autoscaling ? autoscaling.maxReplicas : replicas) > 1) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name, labels: objectLabels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: plan.selector }, unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION },
      });
    }
  }

  /** The Service, and the Ingress or load balancer in front of it, as the environment's exposure plan decides. */
  private exposure(plan: ServicePlan): ExposureResult {
    const { name, subject, props, override, exposure, port, containerPorts, probes, draining, objectLabels, selector, chart } = plan;
    const { env, context } = chart;
    // A review environment's hostnames are its own (`shop-review-42.<domain>`), so they never take over the base's.
    const suffix = env.review?.hostnameSuffix ?? '';
    const ownHosts: Exposure = suffix && exposure.type !== 'internal'
      ? { ...exposure, hosts: exposure.hosts.map((h) => ({ ...h, subdomain: `${h.subdomain ?? ''}${suffix}`.replace(/^-/, '') })) } as Exposure
      : exposure;
    const exposurePlan = planExposure({
      env, subject, chartFile: chart.sourceFile, owner: `${context.platform}/${name}`, exposure: ownHosts, internal: props.internal ?? false, routes: context.routes,
      overrides: override.hostnames
        ? {
          hostnames: override.hostnames.map((host) => host.replace(/^[^.]+/, (label) => `${label}${suffix}`)),
          field: `platforms.${context.platform}.services.${name}.hostnames in environments/${env.name}.ts`,
        }
        : undefined,
    });
    if (props.nodePort && exposure.type !== 'alb-ingress') {
      throw new ConfigError(subject, `nodePort only makes sense behind an ALB Ingress (instance targets)`);
    }
    const exposedTo: ExposureResult['exposedTo'] = [];
    const entryPoints = entryPointsOf(exposure, exposurePlan, { cluster: env.cluster, envName: env.name, port, containerPorts: [...containerPorts], nodePort: props.nodePort ?? false });
    if (exposure.type === 'load-balancer') {
      renderLoadBalancerService(this, {
        name, labels: objectLabels, selector, subject, hosts: exposurePlan.hosts, ports: exposure.ports, containerPorts: [...containerPorts],
        healthCheckPath: probes.readinessPath, healthCheckPort: port, draining: draining!, publishDns: context.publishDns,
      });
      exposedTo.push({ source: 'aws-load-balancer', targetType: 'ip', ports: [...new Set(exposure.ports.map((p) => containerPorts.find((c) => c.name === p.targetPort)!.port))] });
    } else {
      new k8s.KubeService(this, 'service', {
        metadata: { name, labels: objectLabels },
        spec: {
          type: props.nodePort ? 'NodePort' : 'ClusterIP',
          selector,
          ports: this.ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })),
        },
      });
      if (exposure.type === 'nginx-ingress' || exposure.type === 'alb-ingress') {
        renderIngresses(this, {
          name, labels: objectLabels, envName: env.name, hosts: exposurePlan.hosts, controller: exposure.type === 'nginx-ingress' ? 'nginx' : 'alb',
          paths: exposure.type === 'nginx-ingress' ? exposure.paths : (exposure.paths ?? ['/']),
          healthCheckPath: probes.readinessPath, targetType: props.nodePort ? 'instance' : 'ip', draining, publishDns: context.publishDns,
        });
        exposedTo.push(exposure.type === 'nginx-ingress'
          ? { source: 'ingress-nginx', ports: [port] }
          : { source: 'aws-load-balancer', targetType: props.nodePort ? 'instance' : 'ip', ports: [port] });
      }
    }
    return { hosts: exposurePlan.hosts, exposedTo, entryPoints };
  }

  private serviceMonitor(plan: ServicePlan): void {
    const { props, port } = plan;
    if (!props.metrics) return;
    new ServiceMonitorFor(this, 'service-monitor', {
      name: plan.name, labels: plan.objectLabels, selector: plan.selector,
      port: plan.containerPorts.find((p) => p.port === (props.metrics?.port ?? port))!.name,
      path: props.metrics.path ?? '/metrics',
    });
  }

  /** Records the service in the platform's registry: network policies, alerts, dashboards and diagrams read it. */
  private register(plan: ServicePlan, roleArn: string | undefined, exposure: ExposureResult): void {
    const { name, props, port, scaling: { replicas, autoscaling } } = plan;
    plan.chart.context.register({
      name,
      kind: 'service',
      chart: plan.chart.node.id,
      podSelector: plan.selector,
      ports: this.ports,
      dependsOn: [...(props.dependsOn ?? []), ...(props.traces ? [TRACES_DEPENDENCY] : [])],
      emitsTraces: props.traces,
      exposedTo: exposure.exposedTo,
      awsAccess: roleArn !== undefined,
      metricsPort: props.metrics ? (props.metrics.port ?? port) : undefined,
      scale: {
        replicas,
        ...(autoscaling ? { autoscaling: { minReplicas: autoscaling.minReplicas, maxReplicas: autoscaling.maxReplicas } } : {}),
        ...(props.scaling.fixed ? { fixed: true } : {}),
      },
      entryPoints: exposure.entryPoints,
      metricsJob: props.metrics ? name : undefined,
      httpMetrics: props.metrics?.http
        ? { ...props.metrics.http, availabilityObjective: props.metrics.availabilityObjective ?? DEFAULT_AVAILABILITY_OBJECTIVE }
        : undefined,
    });
  }
}

/**
 * The chart's scaling with the environment's override; a review environment runs one replica of every service
 * that is not fixed by design, with no HPA. A fixed count cannot be overridden.
 */
function resolveScaling(chart: PlatformChart, name: string, subject: ErrorSubject, chartScaling: MicroserviceScaling, override: ServiceOverride): ResolvedScaling {
  const { env, context } = chart;
  const fixed = chartScaling.fixed !== undefined;
  if (fixed && override.scaling !== undefined) {
    throw new ConfigError(subject, `scaling cannot be overridden: the service runs exactly ${chartScaling.fixed} replica(s) by design ` +
        `(scaling: { fixed } in ${chart.sourceFile}); remove platforms.${context.platform}.services.${name}.scaling in environments/${env.name}.ts`,
    );
  }
  const scaling: { readonly fixed?: number; readonly replicas?: number; readonly autoscaling?: Autoscaling } =
    env.review && !fixed ? { replicas: 1 } : (override.scaling ?? chartScaling);
  const autoscaling = scaling.autoscaling;
  return { fixed, replicas: scaling.fixed ?? scaling.replicas ?? autoscaling!.minReplicas, ...(autoscaling ? { autoscaling } : {}) };
}

/** `http` and the further ports, plus `metrics` when the metrics port is none of them; each a valid port name. */
function containerPortsOf(props: MicroserviceProps, port: number, subject: ErrorSubject): { name: string; port: number }[] {
  const containerPorts = [{ name: 'http', port }, ...(props.extraPorts ?? [])];
  if (props.metrics?.port && !containerPorts.some((p) => p.port === props.metrics?.port)) {
    containerPorts.push({ name: 'metrics', port: props.metrics.port });
  }
  for (const p of containerPorts) {
    if (p.name.length > 15 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(p.name)) {
      throw new ConfigError(subject, `port name '${p.name}' must be at most 15 lower-case letters, digits and '-'`);
    }
  }
  return containerPorts;
}

function utilization(resource: 'cpu' | 'memory', averageUtilization: number): k8s.MetricSpecV2 {
  return { type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization } } };
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => byCodePoint(a, b)));
}

