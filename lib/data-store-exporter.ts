import type { ErrorSubject } from './errors';
import { k8s } from './k8s';
import { byCodePoint } from './validation';
import { Construct } from 'constructs';
import type { Resources } from '../environments/schema';
import { ImageReference, ImagePolicy, resolveImage } from './image';
import { toResourceRequirements } from './resources';
import { restrictedContainerSecurityContext } from './security';
import { ServiceMonitorFor } from './service-monitor';

/** Name of the exporter's container port and of the metrics Service's port. */
export const METRICS_PORT_NAME = 'metrics';

/** A Prometheus exporter that runs beside each member of a data store and talks to it over loopback. */
export interface DataStoreExporterProps {
  /** Exporter image, pinned to a release. */
  readonly image: ImageReference;
  /** Port the exporter serves `/metrics` on. */
  readonly port: number;
  readonly args?: readonly string[];
  /**
   * Environment of the exporter. Values may refer to the data store's own variables (its credentials) as
   * `$(VARIABLE)`; Kubernetes expands them, so no credential is written twice. @default none
   */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 10m/32Mi requests, 64Mi memory limit */
  readonly resources?: Resources;
  /** @default 65534 (nobody; every exporter image is a static binary that needs no user of its own) */
  readonly runAsUser?: number;
}

const DEFAULT_RESOURCES: Resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } };

/**
 * The exporter sidecar. The store's variables it refers to come first, so its `$(VARIABLE)` references
 * resolve, and TCP probes on its metrics port: every exporter answers there as soon as it runs, whether or
 * not the store is up (a store that is down is `*_up 0`, an alert, not a restart of the exporter).
 */
export function exporterContainer(props: DataStoreExporterProps, storeEnv: readonly k8s.EnvVar[], imagePolicy: ImagePolicy, store: ErrorSubject): k8s.Container {
  const port = k8s.IntOrString.fromString(METRICS_PORT_NAME);
  const own = Object.entries(props.env ?? {}).sort(([a], [b]) => byCodePoint(a, b)).map(([name, value]) => ({ name, value }));
  // Only the store's variables the exporter refers to, so it holds no credential it does not use.
  const referenced = new Set(own.flatMap((v) => [...v.value.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1])));
  // `NAME: '$(NAME)'` passes the store's variable through as it is: defining it twice would be an error.
  const env = [...storeEnv.filter((v) => referenced.has(v.name)), ...own.filter((v) => v.value !== `$(${v.name})`)];
  return {
    name: 'exporter',
    image: resolveImage(props.image, imagePolicy, { ...store, part: 'exporter' }),
    imagePullPolicy: 'IfNotPresent',
    ...(props.args ? { args: [...props.args] } : {}),
    ports: [{ name: METRICS_PORT_NAME, containerPort: props.port, protocol: 'TCP' }],
    ...(env.length > 0 ? { env } : {}),
    resources: toResourceRequirements(props.resources ?? DEFAULT_RESOURCES),
    readinessProbe: { tcpSocket: { port }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    livenessProbe: { tcpSocket: { port }, periodSeconds: 20, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    securityContext: restrictedContainerSecurityContext(props.runAsUser ?? 65534),
  };
}

export interface DataStoreMetricsProps {
  /** The data store's name; the Service is `<name>-metrics`. */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Every member's pods. */
  readonly selector: Record<string, string>;
  readonly port: number;
}

/** Label that tells a data store's metrics Service from its client Services, for the ServiceMonitor. */
export const METRICS_SERVICE_LABEL = 'platform-manifests/metrics';

/**
 * A headless Service over every member's exporter and the ServiceMonitor that scrapes it. Headless and on all
 * members (not the client Service, which may reach the primary only), so each member is its own target and a
 * member that stops answering shows as its own `up == 0`.
 */
export class DataStoreMetrics extends Construct {
  /** The Service's name, which is also the scrape job's name. */
  public readonly job: string;

  constructor(scope: Construct, id: string, props: DataStoreMetricsProps) {
    super(scope, id);
    this.job = `${props.name}-metrics`;
    const labels = { ...props.labels, [METRICS_SERVICE_LABEL]: 'exporter' };
    new k8s.KubeService(this, 'service', {
      metadata: { name: this.job, labels },
      spec: {
        clusterIp: 'None',
        selector: props.selector,
        ports: [{ name: METRICS_PORT_NAME, port: props.port, targetPort: k8s.IntOrString.fromString(METRICS_PORT_NAME), protocol: 'TCP' }],
      },
    });
    new ServiceMonitorFor(this, 'service-monitor', {
      name: this.job,
      labels: props.labels,
      selector: { ...props.selector, [METRICS_SERVICE_LABEL]: 'exporter' },
      port: METRICS_PORT_NAME,
    });
  }
}
