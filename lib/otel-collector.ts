import { createHash } from 'node:crypto';
import { k8s } from './k8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { Resources } from '../environments/schema';
import { ConfigError } from './errors';
import { resolveImage } from './image';
import { appLabels, selectorLabels } from './labels';
import type { PlatformContext } from './platform-context';
import type { Dependency } from './component-record';
import { toResourceRequirements } from './resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';
import { ServiceMonitorFor } from './service-monitor';
import { podSpreadConstraints } from './topology';
import { UNHEALTHY_POD_EVICTION } from './disruption';

/** Name of the collector's Deployment, Service and ServiceAccount in each platform namespace that traces. */
export const OTEL_COLLECTOR = 'otel-collector';
const OTLP_GRPC = { name: 'otlp-grpc', port: 4317 };
const OTLP_HTTP = { name: 'otlp-http', port: 4318 };
const METRICS = { name: 'metrics', port: 8888 };
const HEALTH = { name: 'health', port: 13133 };
const CONFIG_DIR = '/etc/otelcol';
const RESOURCES: Resources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } };
/** The contrib distribution: it carries the AWS X-Ray exporter. */
const IMAGE = { repository: 'docker.io/otel/opentelemetry-collector-contrib', tag: '0.120.0' };

/** What a service that emits traces depends on: the collector's OTLP ports. */
export const TRACES_DEPENDENCY: Dependency = { target: OTEL_COLLECTOR, ports: [OTLP_GRPC.name, OTLP_HTTP.name] };

/**
 * The OpenTelemetry SDK settings of a service that emits traces (standard `OTEL_*` variables, read by every
 * SDK and auto-instrumentation agent): OTLP over HTTP to the platform's collector, W3C and X-Ray
 * propagation, metrics and logs left to Prometheus and Fluent Bit.
 */
export function tracingConfig(service: string, context: PlatformContext): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${OTEL_COLLECTOR}.${context.namespace}.svc:${OTLP_HTTP.port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_PROPAGATORS: 'tracecontext,baggage,xray',
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${context.env.name},service.namespace=${context.platform}`,
    OTEL_SERVICE_NAME: service,
    OTEL_TRACES_EXPORTER: 'otlp',
  };
}

/** The collector's configuration: OTLP in, memory-limited and batched, to AWS X-Ray. */
function collectorConfig(context: PlatformContext): string {
  return stringify({
    extensions: { health_check: { endpoint: `0.0.0.0:${HEALTH.port}` } },
    receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC.port}` }, http: { endpoint: `0.0.0.0:${OTLP_HTTP.port}` } } } },
    processors: {
      // Refuse data before the container's limit is reached, so a burst drops spans instead of the pod.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      resource: { attributes: [{ key: 'deployment.environment.name', value: context.env.name, action: 'upsert' }] },
      batch: { timeout: '5s', send_batch_size: 512 },
    },
    exporters: { awsxray: { region: context.env.cluster.region, indexed_attributes: ['deployment.environment.name'] } },
    service: {
      extensions: ['health_check'],
      telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: METRICS.port } } } }] } },
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'resource', 'batch'], exporters: ['awsxray'] } },
    },
  });
}

/**
 * The platform's OpenTelemetry Collector, rendered when one of its services declares `traces: true`: two
 * replicas spread over zones behind the Service `otel-collector`, receiving OTLP (gRPC 4317, HTTP 4318) and
 * exporting to AWS X-Ray through the cluster facts' `xray_role_arn` (IRSA). Its NetworkPolicy (derived)
 * admits the services that emit traces and Prometheus on its own metrics, and lets it reach AWS over HTTPS.
 */
export class OtelCollector extends Construct {
  constructor(scope: Construct, id: string, context: PlatformContext) {
    super(scope, id);
    const { env } = context;
    const subject = context.subject(OTEL_COLLECTOR);
    const roleArn = env.cluster.xray_role_arn;
    if (!roleArn) {
      throw new ConfigError(
        subject,
        `services of the platform emit traces, but the cluster facts environments/${env.clusterFactsFile} have no xray_role_arn ` +
          '(the IAM role the collector sends to AWS X-Ray with): add the output to the cluster\'s Terraform',
      );
    }
    const labels = appLabels({ name: OTEL_COLLECTOR, partOf: context.platform, component: 'telemetry', version: IMAGE.tag });
    const objectLabels = appLabels({ name: OTEL_COLLECTOR, partOf: context.platform, component: 'telemetry' });
    const selector = selectorLabels(OTEL_COLLECTOR);
    const config = collectorConfig(context);
    const uid = 10001;

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: OTEL_COLLECTOR, labels: objectLabels, annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
      automountServiceAccountToken: true,
    });
    new k8s.KubeConfigMap(this, 'config', { metadata: { name: `${OTEL_COLLECTOR}-config`, labels: objectLabels }, data: { 'collector.yaml': config } });

    const health = (path: string): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString(HEALTH.name), scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1,
    });
    const ports = [OTLP_GRPC, OTLP_HTTP, METRICS, HEALTH];
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: OTEL_COLLECTOR, labels: objectLabels },
      spec: {
        replicas: 2,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels, annotations: { 'checksum/config': createHash('sha256').update(config).digest('hex') } },
          spec: {
            serviceAccountName: OTEL_COLLECTOR,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(uid),
            terminationGracePeriodSeconds: 30,
            topologySpreadConstraints: podSpreadConstraints(selector, true),
            containers: [{
              name: 'collector',
              image: resolveImage(IMAGE, env.imagePolicy, subject),
              imagePullPolicy: 'IfNotPresent',
              args: [`--config=${CONFIG_DIR}/collector.yaml`],
              ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
              // The Go runtime collects before the container limit; memory_limiter refuses data before that.
              env: [{ name: 'GOMEMLIMIT', value: '400MiB' }],
              resources: toResourceRequirements(RESOURCES),
              readinessProbe: health('/'),
              livenessProbe: health('/'),
              securityContext: restrictedContainerSecurityContext(uid),
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
            }],
            volumes: [{ name: 'config', configMap: { name: `${OTEL_COLLECTOR}-config` } }],
          },
        },
      },
    });
    new k8s.KubePodDisruptionBudget(this, 'pdb', {
      metadata: { name: OTEL_COLLECTOR, labels: objectLabels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION },
    });
    const servicePorts = [OTLP_GRPC, OTLP_HTTP, METRICS];
    new k8s.KubeService(this, 'service', {
      metadata: { name: OTEL_COLLECTOR, labels: objectLabels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: servicePorts.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP', ...(p.name === 'otlp-grpc' ? { appProtocol: 'grpc' } : {}) })),
      },
    });
    new ServiceMonitorFor(this, 'service-monitor', { name: OTEL_COLLECTOR, labels: objectLabels, selector, port: METRICS.name });

    context.register({
      name: OTEL_COLLECTOR,
      kind: 'service',
      chart: 'tracing',
      podSelector: selector,
      ports: [OTLP_GRPC, OTLP_HTTP].map((p) => ({ ...p, containerPort: p.port })),
      dependsOn: [],
      awsAccess: true,
      metricsPort: METRICS.port,
      metricsJob: OTEL_COLLECTOR,
    });
  }
}
