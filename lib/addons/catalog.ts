import type { Addons, Environment } from '../../environments/schema';
import { APP_WAVES } from '../app-waves';
import { ARGOCD_CHART, ARGOCD_VERSION } from './argocd-version';
import { argocdCmData } from './argocd-cm';
import { EXTERNAL_SECRETS_NAMESPACE, EXTERNAL_SECRETS_SERVICE_ACCOUNT } from '../cluster-secret-stores';
import { ConfigError } from '../errors';
import { DNS_ZONE_LABEL } from '../exposure';
import { ingressNginxControllerValues } from '../ingress-nginx-controller';
import { INGRESS_NGINX_NAMESPACE, MONITORING_NAMESPACE } from '../network-policies';
import type { KubeObject } from '../kube-object';
import { alertmanagerConfigSecret, grafanaAdminSecret, GRAFANA_ADMIN_SECRET, ALERTMANAGER_CONFIG_SECRET } from './monitoring-secrets';
import type { PodSecurityLevel } from './addon-namespace';
import type { AddonNetwork } from './addon-network-policies';
import { webhookTlsSecret } from './webhook-tls-secret';

/** The Secret the AWS Load Balancer Controller's webhook server reads its certificate from. */
const LBC_WEBHOOK_TLS_SECRET = 'aws-load-balancer-tls';

/** A field Argo CD must not compare because something in the cluster, not Git, owns it. */
export interface IgnoredDifference {
  readonly group: string;
  readonly kind: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly jqPathExpressions?: readonly string[];
  readonly jsonPointers?: readonly string[];
}

/** What an add-on's values are computed from. */
export interface AddonContext {
  readonly env: Environment;
  /** The IRSA role of the add-on's service account, when it has one. */
  readonly roleArn?: string;
  /** Is kube-prometheus-stack (and so the ServiceMonitor CRD) installed? */
  readonly monitoring: boolean;
  /** Is the AWS Load Balancer Controller installed? */
  readonly loadBalancerController: boolean;
}

/**
 * One cluster add-on: a Helm chart of the lock (addons/charts.lock.json), rendered with `helm template` into
 * `dist/<env>/<name>/` and synced by a directory Application of the same name. Its CRDs go to
 * `dist/<env>/<name>-crds/`, an Application of their own synced before every other add-on.
 */
export interface AddonDefinition {
  /** Application, Helm release and dist folder name. */
  readonly name: string;
  /** Switch in `environments/<env>.ts` `addons`. */
  readonly enabledBy: keyof Addons;
  /** Chart name in the lock. */
  readonly chart: string;
  /** Release namespace. @default the environment's Argo CD namespace for Argo CD itself */
  readonly namespace: (env: Environment) => string;
  /** Sync wave of the Application inside the root app. */
  readonly wave: number;
  /** Key in the cluster facts' `service_account_role_arns` of the add-on's IAM role (IRSA). */
  readonly roleKey?: string;
  readonly values: (context: AddonContext) => Record<string, unknown>;
  /**
   * Values paths the chart documents as free-form maps (it passes their keys on as they are), each with where
   * it says so: keys below them are not checked against the chart's defaults (lib/addons/values-check.ts).
   * @default none
   */
  readonly freeFormValues?: readonly { readonly path: string; readonly reason: string }[];
  /**
   * Where the add-on's CRDs come from: `chart` (the chart's own), another chart of the lock that holds only
   * CRDs (Karpenter's `karpenter-crd`), a set vendored into `addons/crds/<set>/` at the version that runs (Argo
   * CD's, whose chart lags behind its images), or `none` when another release owns them. @default 'chart'
   */
  readonly crds?: 'chart' | 'none' | { readonly chart: string } | { readonly vendored: string; readonly version: string };
  /** The Pod Security level of the namespace, when this add-on creates it. `undefined`: it does not. */
  readonly namespaceSecurity?: { readonly level: PodSecurityLevel; readonly reason?: string; readonly externalSecrets?: boolean; readonly readinessGates?: boolean };
  /** Objects of our own beside the chart's (ExternalSecrets for its credentials). */
  readonly objects?: (context: AddonContext) => KubeObject[];
  /**
   * Objects of the chart this repository replaces by its own, by kind and name, each with the reason (a
   * Secret the chart would generate with a key in it). Listing one the chart does not render is an error.
   */
  readonly replaces?: readonly { readonly kind: string; readonly name: string; readonly reason: string }[];
  /** What its pods may reach beyond the defaults (lib/addons/addon-network-policies.ts). */
  readonly network?: AddonNetwork;
  /** Fields a controller in the cluster rewrites after they were synced. */
  readonly ignoreDifferences?: readonly IgnoredDifference[];
  readonly description: string;
}

const irsa = (roleArn: string | undefined) => ({ 'eks.amazonaws.com/role-arn': roleArn! });
const fixed = (namespace: string) => () => namespace;

/** The caBundle a webhook's certificate job or controller injects after install. */
const injectedCaBundle = (kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration', name: string): IgnoredDifference =>
  ({ group: 'admissionregistration.k8s.io', kind, name, jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] });

/** The restricted container security context, for charts that leave it to the user. */
const restricted = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
/** Pods Karpenter must not evict to consolidate nodes: singletons whose restart is an outage. */
const DO_NOT_DISRUPT = { 'karpenter.sh/do-not-disrupt': 'true' };
const resources = (cpu: string, memory: string, memoryLimit = memory) => ({ requests: { cpu, memory }, limits: { memory: memoryLimit } });

const externalDns = (zone: 'public' | 'private'): AddonDefinition => ({
  name: `external-dns-${zone}`,
  enabledBy: 'externalDns',
  chart: 'external-dns',
  namespace: fixed('external-dns'),
  wave: APP_WAVES.edgeAddons,
  roleKey: 'external-dns',
  description: `Route 53 records of the ${zone} hosted zone for Ingresses and LoadBalancer Services`,
  // Both releases ship dnsendpoints.externaldns.k8s.io; the public one owns it (and the namespace).
  crds: zone === 'public' ? 'chart' : 'none',
  namespaceSecurity: zone === 'public' ? { level: 'restricted' } : undefined,
  values: ({ env, roleArn, monitoring }) => ({
    provider: { name: 'aws' },
    env: [{ name: 'AWS_DEFAULT_REGION', value: env.cluster.region }],
    // Both instances run as one service account, the one the IAM role trusts; the public one creates it.
    serviceAccount: zone === 'public'
      ? { create: true, name: 'external-dns', annotations: irsa(roleArn) }
      : { create: false, name: 'external-dns' },
    // Each release has its own ClusterRole (named after the release), so both may create RBAC.
    sources: ['service', 'ingress'],
    policy: 'sync',
    registry: 'txt',
    txtOwnerId: `${env.cluster.cluster_name}-${zone}`,
    domainFilters: [zone === 'public' ? env.cluster.public_domain : env.cluster.private_domain],
    // In prod the private domain lies below the public one, so the domain filter alone would let the public
    // instance publish private names: each instance only reads objects labelled for its zone.
    extraArgs: [`--aws-zone-type=${zone}`, `--zone-id-filter=${env.cluster.hosted_zone_ids[zone]}`, `--label-filter=${DNS_ZONE_LABEL}=${zone}`],
    resources: resources('10m', '64Mi', '128Mi'),
    // One replica, recreated on update (two instances would fight over the records).
    podAnnotations: DO_NOT_DISRUPT,
    serviceMonitor: { enabled: monitoring },
  }),
});

/**
 * The cluster add-ons the platforms rely on, and Argo CD itself. Versions are in the chart lock;
 * namespaces match what lib/network-policies.ts and lib/cluster-secret-stores.ts expect.
 */
export const ADDONS: readonly AddonDefinition[] = [
  {
    name: 'argo-cd',
    enabledBy: 'argoCd',
    chart: 'argo-cd',
    namespace: (env) => env.gitops.argocdNamespace,
    wave: APP_WAVES.coreAddons,
    namespaceSecurity: { level: 'restricted' },
    // The chart's CRDs are those of its appVersion (v3.4.4 for 10.1.1); the controller runs ARGOCD_VERSION and
    // needs that version's (npm run addons:crds copies them from the Go module).
    crds: { vendored: 'argo-cd', version: ARGOCD_VERSION },
    // The application controller reaches the API server on 443; the repo server fetches Git over HTTPS or SSH.
    network: { egressPorts: [22] },
    description: `Argo CD ${ARGOCD_VERSION} itself, self-managed once bootstrapped from this folder`,
    freeFormValues: [{ path: 'configs.cm', reason: 'values.yaml: "Any values you put under `.configs.cm` are passed to argocd-cm ConfigMap"' }],
    values: ({ monitoring }) => ({
      // The chart's own NetworkPolicies allow ingress only; ours (addon-network-policies.ts) cover both ways.
      global: { ...ARGOCD_CHART.imageValues.global, networkPolicy: { create: false } },
      crds: { install: false },
      configs: { cm: { create: true, ...argocdCmData() } },
      dex: { enabled: false },
      notifications: { enabled: false },
      applicationSet: {
        replicas: 2, pdb: { enabled: true, minAvailable: 1 }, resources: resources('50m', '128Mi', '256Mi'),
        livenessProbe: { enabled: true }, readinessProbe: { enabled: true },
      },
      // One application controller (sharding is off): Karpenter must not consolidate it away mid-sync.
      controller: { metrics: { enabled: true, serviceMonitor: { enabled: monitoring } }, resources: resources('250m', '1Gi', '2Gi'), podAnnotations: DO_NOT_DISRUPT },
      server: { replicas: 2, pdb: { enabled: true, minAvailable: 1 }, metrics: { enabled: true, serviceMonitor: { enabled: monitoring } }, resources: resources('50m', '128Mi', '256Mi') },
      repoServer: { replicas: 2, pdb: { enabled: true, minAvailable: 1 }, metrics: { enabled: true, serviceMonitor: { enabled: monitoring } }, resources: resources('100m', '256Mi', '1Gi') },
      redis: { resources: resources('50m', '64Mi', '128Mi'), metrics: { enabled: false }, livenessProbe: { enabled: true }, readinessProbe: { enabled: true } },
      redisSecretInit: { resources: resources('10m', '32Mi', '64Mi') },
    }),
  },
  {
    name: 'kube-prometheus-stack',
    enabledBy: 'kubePrometheusStack',
    chart: 'kube-prometheus-stack',
    namespace: fixed(MONITORING_NAMESPACE),
    wave: APP_WAVES.edgeAddons,
    namespaceSecurity: {
      level: 'privileged',
      reason: 'node-exporter reads the host’s /proc, /sys and root filesystem on the host network and PID namespace',
      externalSecrets: true,
    },
    network: {
      egressToCluster: true,
      managedPods: [
        { name: 'prometheus', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [9090, 8080] },
        { name: 'alertmanager', labels: { 'app.kubernetes.io/name': 'alertmanager' }, ports: [9093, 9094, 8080] },
      ],
    },
    description: 'Prometheus, Alertmanager and Grafana; picks up every ServiceMonitor, PodMonitor and PrometheusRule',
    values: ({ env }) => ({
      crds: { enabled: true },
      prometheus: {
        prometheusSpec: {
          // Select every ServiceMonitor/PodMonitor/PrometheusRule in every namespace, not only the chart's own.
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          ruleSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          retention: '15d',
          storageSpec: {
            volumeClaimTemplate: {
              spec: { storageClassName: env.cluster.storage_class, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } },
            },
          },
        },
      },
      alertmanager: {
        alertmanagerSpec: {
          // The configuration, receivers' URLs and keys included, comes from the secret store (monitoring-secrets.ts).
          useExistingSecret: true,
          configSecret: ALERTMANAGER_CONFIG_SECRET,
        },
      },
      // EKS runs these on the managed control plane; there is nothing to scrape.
      kubeControllerManager: { enabled: false },
      kubeScheduler: { enabled: false },
      kubeEtcd: { enabled: false },
      kubeProxy: { enabled: false },
      prometheusOperator: {
        resources: resources('50m', '128Mi', '256Mi'),
        admissionWebhooks: { patch: { resources: resources('10m', '32Mi', '64Mi') } },
      },
      'kube-state-metrics': { resources: resources('20m', '128Mi', '256Mi') },
      'prometheus-node-exporter': {
        resources: resources('20m', '32Mi', '64Mi'),
        // Host namespaces and paths it needs (see the policy exemptions), nothing else.
        containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
      },
      grafana: {
        enabled: true,
        resources: resources('50m', '256Mi', '512Mi'),
        containerSecurityContext: { ...restricted, privileged: false },
        admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
        // Dashboards are ConfigMaps labelled grafana_dashboard: "1" in any namespace (the platforms render theirs).
        sidecar: {
          dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' },
          resources: resources('10m', '64Mi', '128Mi'),
          securityContext: restricted,
        },
      },
    }),
    objects: ({ env }) => [grafanaAdminSecret(env), alertmanagerConfigSecret(env)],
    // The chart's admission-webhook patch Job writes the caBundle.
    ignoreDifferences: [
      injectedCaBundle('MutatingWebhookConfiguration', 'kube-prometheus-stack-admission'),
      injectedCaBundle('ValidatingWebhookConfiguration', 'kube-prometheus-stack-admission'),
    ],
  },
  {
    name: 'external-secrets',
    enabledBy: 'externalSecrets',
    chart: 'external-secrets',
    namespace: fixed(EXTERNAL_SECRETS_NAMESPACE),
    wave: APP_WAVES.coreAddons,
    roleKey: 'external-secrets',
    namespaceSecurity: { level: 'restricted' },
    description: 'External Secrets Operator: Secrets from AWS Secrets Manager and SSM Parameter Store',
    values: ({ roleArn, monitoring }) => ({
      installCRDs: true,
      serviceAccount: { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT, annotations: irsa(roleArn) },
      serviceMonitor: { enabled: monitoring },
      resources: resources('50m', '128Mi', '256Mi'),
      livenessProbe: { enabled: true },
      readinessProbe: { enabled: true },
      webhook: { resources: resources('20m', '64Mi', '128Mi'), livenessProbe: { enabled: true } },
      certController: { resources: resources('20m', '64Mi', '128Mi'), livenessProbe: { enabled: true } },
    }),
    // The operator's cert-controller writes the caBundle.
    ignoreDifferences: [
      injectedCaBundle('ValidatingWebhookConfiguration', 'externalsecret-validate'),
      injectedCaBundle('ValidatingWebhookConfiguration', 'secretstore-validate'),
    ],
  },
  {
    name: 'karpenter',
    enabledBy: 'karpenter',
    chart: 'karpenter',
    crds: { chart: 'karpenter-crd' },
    namespace: fixed('kube-system'),
    wave: APP_WAVES.coreAddons,
    roleKey: 'karpenter',
    description: 'Karpenter: nodes for the NodePool in dist/<env>/cluster/karpenter.yaml',
    values: ({ env, roleArn, monitoring }) => ({
      // Spot interruptions, rebalance recommendations and health events drain a node before EC2 takes it.
      settings: { clusterName: env.cluster.cluster_name, interruptionQueue: env.cluster.karpenter_interruption_queue },
      serviceAccount: { annotations: irsa(roleArn) },
      controller: { resources: resources('500m', '1Gi') },
      serviceMonitor: { enabled: monitoring },
    }),
  },
  {
    name: 'aws-load-balancer-controller',
    enabledBy: 'awsLoadBalancerController',
    chart: 'aws-load-balancer-controller',
    namespace: fixed('kube-system'),
    wave: APP_WAVES.storeAddons,
    roleKey: 'aws-load-balancer-controller',
    description: 'AWS Load Balancer Controller: ALBs for Ingresses, NLBs for LoadBalancer Services',
    values: ({ env, roleArn, monitoring }) => ({
      clusterName: env.cluster.cluster_name,
      region: env.cluster.region,
      // Pods on Karpenter's nodes cannot reach the instance metadata service to look the VPC up.
      vpcId: env.cluster.vpc_id,
      replicaCount: 2,
      // The webhook's CA comes from the cluster facts; the chart would otherwise generate a CA and a key at
      // render time, into Git. Certificate and key reach the pods through the ExternalSecret below, so the
      // chart's Secret (rendered from these placeholders) is replaced.
      webhookTLS: { caCert: env.cluster.aws_load_balancer_controller_webhook_ca, cert: 'from-secrets-manager', key: 'from-secrets-manager' },
      serviceAccount: { create: true, name: 'aws-load-balancer-controller', annotations: irsa(roleArn) },
      resources: resources('50m', '128Mi', '256Mi'),
      securityContext: restricted,
      podDisruptionBudget: { maxUnavailable: 1 },
      serviceMonitor: { enabled: monitoring },
    }),
    replaces: [{ kind: 'Secret', name: LBC_WEBHOOK_TLS_SECRET, reason: 'the webhook certificate and key come from Secrets Manager (ExternalSecret)' }],
    objects: ({ env }) => [webhookTlsSecret(env, 'kube-system', LBC_WEBHOOK_TLS_SECRET, 'aws-load-balancer-controller/webhook-tls')],
  },
  {
    name: 'metrics-server',
    enabledBy: 'metricsServer',
    chart: 'metrics-server',
    namespace: fixed('kube-system'),
    wave: APP_WAVES.coreAddons,
    description: 'metrics-server: the resource metrics HorizontalPodAutoscalers scale on',
    values: () => ({
      replicas: 2,
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      resources: resources('100m', '200Mi', '256Mi'),
    }),
  },
  {
    name: 'ingress-nginx',
    enabledBy: 'ingressNginx',
    chart: 'ingress-nginx',
    namespace: fixed(INGRESS_NGINX_NAMESPACE),
    wave: APP_WAVES.edgeAddons,
    namespaceSecurity: { level: 'restricted', readinessGates: true },
    description: 'ingress-nginx: the `nginx` IngressClass, behind an internet-facing NLB',
    // lib/ingress-nginx-controller.ts adds the port of the HTTP-to-HTTPS redirect listener.
    freeFormValues: [{ path: 'controller.containerPort', reason: 'controller-deployment.yaml ranges over it: every key is a named container port' }],
    // It routes to the platforms' Services, whatever their namespace and port.
    network: { egressToCluster: true },
    values: ({ env, monitoring, loadBalancerController }) => {
      // The controller's NLB (TLS, HTTP to HTTPS redirect, draining) is what lib/exposure-plan.ts promises
      // NGINX-routed hosts: lib/ingress-nginx-controller.ts.
      const edge = ingressNginxControllerValues(env, loadBalancerController) as { service: Record<string, unknown> };
      return {
        controller: {
          replicaCount: 2,
          ingressClass: 'nginx',
          ingressClassResource: { name: 'nginx', enabled: true, default: false, controllerValue: 'k8s.io/ingress-nginx' },
          ...edge,
          service: {
            ...edge.service,
            // The AWS Load Balancer Controller provisions the NLB; the in-tree cloud provider must not.
            ...(loadBalancerController ? { loadBalancerClass: 'service.k8s.aws/nlb' } : {}),
          },
          resources: resources('100m', '256Mi', '512Mi'),
          metrics: { enabled: true, serviceMonitor: { enabled: monitoring } },
          admissionWebhooks: { createSecretJob: { resources: resources('10m', '20Mi', '64Mi') }, patchWebhookJob: { resources: resources('10m', '20Mi', '64Mi') } },
        },
      };
    },
    // The chart's admission-webhook patch Job writes the caBundle.
    ignoreDifferences: [injectedCaBundle('ValidatingWebhookConfiguration', 'ingress-nginx-admission')],
  },
  externalDns('public'),
  externalDns('private'),
  {
    name: 'fluent-bit',
    enabledBy: 'fluentBit',
    chart: 'fluent-bit',
    namespace: fixed('logging'),
    wave: APP_WAVES.edgeAddons,
    roleKey: 'fluent-bit',
    namespaceSecurity: { level: 'privileged', reason: 'Fluent Bit tails the container logs in the nodes’ /var/log through hostPath volumes' },
    description: 'Fluent Bit: container logs to CloudWatch Logs',
    values: ({ env, roleArn, monitoring }) => ({
      serviceAccount: { create: true, annotations: irsa(roleArn) },
      serviceMonitor: { enabled: monitoring },
      resources: resources('50m', '64Mi', '256Mi'),
      securityContext: restricted,
      config: {
        outputs: [
          '[OUTPUT]',
          '    Name cloudwatch_logs',
          '    Match kube.*',
          `    region ${env.cluster.region}`,
          `    log_group_name /aws/eks/${env.cluster.cluster_name}/containers`,
          '    log_stream_prefix fluent-bit-',
          '    auto_create_group On',
          '',
        ].join('\n'),
      },
    }),
  },
];

/** An add-on an environment turns on, with what its values are built from. */
export interface EnabledAddon {
  readonly addon: AddonDefinition;
  readonly namespace: string;
  readonly context: AddonContext;
  readonly values: Record<string, unknown>;
}

/** The add-ons an environment turns on, with their values; fails when a needed IAM role is missing. */
export function enabledAddons(env: Environment, addons: readonly AddonDefinition[] = ADDONS): EnabledAddon[] {
  const base = { env, monitoring: env.addons.kubePrometheusStack, loadBalancerController: env.addons.awsLoadBalancerController };
  return addons
    .filter((a) => env.addons[a.enabledBy])
    .map((addon) => {
      let roleArn: string | undefined;
      if (addon.roleKey) {
        roleArn = env.cluster.service_account_role_arns[addon.roleKey];
        if (!roleArn) {
          throw new ConfigError(
            `environment ${env.name}: add-on ${addon.name} needs an IAM role: add service_account_role_arns["${addon.roleKey}"] to ` +
              `environments/${env.clusterFactsFile} (terraform output), or turn the add-on off with addons.${addon.enabledBy}: false in environments/${env.name}.ts`,
          );
        }
      }
      const context = { ...base, roleArn };
      return { addon, namespace: addon.namespace(env), context, values: addon.values(context) };
    });
}

