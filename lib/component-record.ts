import type { Resources } from '../environments/schema';
import type { DnsZone } from './exposure';
import type { HttpMetrics } from './http-metrics';

// What a platform's registry (PlatformContext) holds about each of its components, as plain data: the
// constructs write it, network policies, alerts, dashboards and diagrams read it.

export type ComponentKind = 'service' | 'data-store' | 'external-database' | 'job';

/** The data stores the model runs itself; alerts and dashboards know their exporters' metrics. */
export type DataStoreEngine = 'mysql' | 'mongodb' | 'redis' | 'postgres';

/** A port a component serves, as its Service exposes it and its pods listen on it. */
export interface ComponentPort {
  readonly name: string;
  /** Port of the Service. */
  readonly port: number;
  /** Port the container listens on (what NetworkPolicies allow). */
  readonly containerPort: number;
}

/** A declared need of one component to talk to another of the same platform. */
export interface Dependency {
  /** Name of a service, data store or external database of the same platform. */
  readonly target: string;
  /** Names of the target's ports used. @default every port of the target */
  readonly ports?: readonly string[];
}

/** Who outside the platform's namespace reaches a component. */
export type TrafficSource =
  /** the NGINX ingress controller's pods */
  | 'ingress-nginx'
  /** an AWS load balancer (ALB/NLB) sending to pod IPs or node ports from the VPC */
  | 'aws-load-balancer';

/** How many pods of a component run. */
export interface ComponentScale {
  /** Replicas of a Deployment without HPA, members of a StatefulSet; with an HPA, the chart's starting point. */
  readonly replicas: number;
  /** The HPA's range, when one scales the component. */
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number };
  /** The count is part of the design and no environment may change it. @default false */
  readonly fixed?: boolean;
}

/** A listener of a load balancer in front of a component. */
export interface EntryPointListener {
  /** Port on the load balancer. */
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS';
  /** Container port the traffic reaches; absent for a listener that only redirects. */
  readonly containerPort?: number;
  /** Port this listener redirects to (HTTP → HTTPS). */
  readonly redirectTo?: number;
}

/** One way into a component from outside the cluster, as rendered (Ingress or Service of type LoadBalancer). */
export interface EntryPoint {
  /** What the hostnames' DNS records point at: the ingress-nginx controller's NLB, the environment's shared ALB, or an NLB of the component's own. */
  readonly via: 'nginx' | 'alb' | 'nlb';
  /** `public`: internet-facing, records in the public hosted zone; `private`: internal, private zone. */
  readonly zone: DnsZone;
  readonly hosts: readonly string[];
  /** Path prefixes routed to the component; empty when the load balancer takes the whole host. */
  readonly paths: readonly string[];
  readonly listeners: readonly EntryPointListener[];
  /** ALB: the ingress group whose one load balancer the environment's services share. */
  readonly group?: string;
  /** ALB: pod IPs (`ip`) or node ports of a NodePort Service (`instance`). */
  readonly targetType?: 'ip' | 'instance';
}

/** What the platform knows of one of its components; network policies and checks derive from it. */
export interface ComponentRecord {
  readonly name: string;
  readonly kind: ComponentKind;
  /** The chart (file) that renders it. */
  readonly chart: string;
  /** Labels of its pods; absent for external databases. */
  readonly podSelector?: Record<string, string>;
  readonly ports: readonly ComponentPort[];
  readonly dependsOn: readonly Dependency[];
  /** Container ports on which members of the component talk to each other (replica sets). */
  readonly peerPorts?: readonly number[];
  /** Outside traffic sources and the container ports they reach. */
  readonly exposedTo?: { readonly source: TrafficSource; readonly ports: readonly number[]; readonly targetType?: 'ip' | 'instance' }[];
  /** The pods call AWS APIs (IRSA role, egress to AWS endpoints). */
  readonly awsAccess?: boolean;
  /** Container port that serves Prometheus metrics. */
  readonly metricsPort?: number;
  /** Prometheus job of the scraped metrics (the Service the ServiceMonitor selects). */
  readonly metricsJob?: string;
  /** The service reports HTTP requests so, and must meet this availability. */
  readonly httpMetrics?: HttpMetrics & { readonly availabilityObjective: number };
  /** The service sends traces to the platform's OpenTelemetry Collector. */
  readonly emitsTraces?: boolean;
  /** A data store's scheduled backup (a CronJob). */
  readonly backup?: BackupRecord;
  /** A data store's restore procedure, rendered into the platform's restore/ folder. */
  readonly restore?: RestorePlan;
  /** For a data store: which one. */
  readonly engine?: DataStoreEngine;
  /** For an external database: where it lives. */
  readonly external?: { readonly host: string; readonly port: number };
  /** Pods that run (services, data stores). */
  readonly scale?: ComponentScale;
  /** Ways in from outside the cluster. @default none */
  readonly entryPoints?: readonly EntryPoint[];
  /** Data stores and external databases: the engine as people name it (`MySQL`), for diagrams. */
  readonly engineName?: string;
  /** Data stores: how the members relate, e.g. `replica set rs0`. */
  readonly membersRole?: string;
}

/** How one engine is dumped and restored with its own image's client tools. */
export interface BackupMethod {
  /** Name of the dump file below /backup; its S3 key ends with it, e.g. `dump.sql`. */
  readonly file: string;
  /** Shell, run in the store's image, that writes `/backup/<file>`. */
  readonly dump: string;
  /** Shell, run in the store's image, that loads `/backup/<file>` into the running store. */
  readonly restore: string;
  /** Environment variable → key of the store's credentials Secret, for both. */
  readonly credentials: Readonly<Record<string, string>>;
  /** The restore holds the whole data set in memory (Redis loads the RDB): give it the store's resources. @default false */
  readonly restoreInMemory?: boolean;
}

/** What the restore Job of a store needs; kept in the platform's registry as plain data. */
export interface RestorePlan {
  readonly store: string;
  readonly engine: DataStoreEngine;
  readonly image: string;
  readonly runAsUser: number;
  readonly method: BackupMethod;
  readonly credentialsSecret: string;
  readonly serviceAccount: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly storage: string;
  readonly restoreResources: Resources;
  readonly labels: Record<string, string>;
}

/** The backup of one store as the alerts see it. */
export interface BackupRecord {
  readonly store: string;
  readonly cronJob: string;
  readonly schedule: string;
  /** Age of the last successful backup beyond which something is wrong. */
  readonly maxAgeSeconds: number;
}
