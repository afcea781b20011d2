import type { Addons, Environment } from '../../environments/schema';
import { EXTERNAL_SECRETS_NAMESPACE, EXTERNAL_SECRETS_SERVICE_ACCOUNT } from '../cluster-secret-stores';
import { ConfigError } from '../errors';
import { DNS_ZONE_LABEL } from '../exposure';
import { ingressNginxControllerValues } from '../ingress-nginx-controller';
import { INGRESS_NGINX_NAMESPACE, MONITORING_NAMESPACE } from '../network-policies';

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

/** One Helm release of a cluster add-on, synced by an Argo CD Application. */
export interface AddonDefinition {
  /** Application and Helm release name. */
  readonly name: string;
  /** Switch in `environments/<env>.ts` `addons`. */
  readonly enabledBy: keyof Addons;
  /** Helm repository; an OCI registry is written without scheme (`public.ecr.aws/karpenter`), as Argo CD expects. */
  readonly repoURL: string;
  readonly chart: string;
  /** Chart version, pinned. */
  readonly version: string;
  readonly namespace: string;
  /** Sync wave of the Application inside the root app. */
  readonly wave: number;
  /** Key in the cluster facts' `service_account_role_arns` of the add-on's IAM role (IRSA). */
  readonly roleKey?: string;
  readonly values: (context: AddonContext) => Record<string, unknown>;
  /** Fields a controller in the cluster rewrites after Helm rendered them. */
  readonly ignoreDifferences?: readonly IgnoredDifference[];
  readonly description: string;
}

/** Waves of the Applications in `argocd/<env>/apps`, applied in this order by the root app. */
export const APP_WAVES = {
  projects: -10,
  /** CRDs others' values refer to (ServiceMonitor). */
  crdAddons: -4,
  /** Controllers the cluster objects and the other add-ons need. */
  coreAddons: -3,
  /** Controllers that depend on the core ones (ingress-nginx's NLB needs the AWS Load Balancer Controller). */
  edgeAddons: -2,
  /** dist/<env>/cluster: ClusterSecretStores, Karpenter NodePool. */
  cluster: -1,
  /** dist/<env>/<platform>. */
  platforms: 0,
} as const;

const irsa = (roleArn: string | undefined) => ({ 'eks.amazonaws.com/role-arn': roleArn! });

/** The caBundle a webhook's certificate job or controller injects after install. */
const injectedCaBundle = (kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration', name: string): IgnoredDifference =>
  ({ group: 'admissionregistration.k8s.io', kind, name, jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] });

const externalDns = (zone: 'public' | 'private'): AddonDefinition => ({
  name: `external-dns-${zone}`,
  enabledBy: 'externalDns',
  repoURL: 'https://kubernetes-sigs.github.io/external-dns/',
  chart: 'external-dns',
  version: '1.20.0',
  namespace: 'external-dns',
  wave: APP_WAVES.edgeAddons,
  roleKey: 'external-dns',
  description: `Route 53 records of the ${zone} hosted zone for Ingresses and LoadBalancer Services`,
  values: ({ env, roleArn, monitoring }) => ({
    provider: { name: 'aws' },
    env: [{ name: 'AWS_DEFAULT_REGION', value: env.cluster.region }],
    // Both instances run as one service account, the one the IAM role trusts; the public one creates it.
    serviceAccount: zone === 'public'
      ? { create: true, name: 'external-dns', annotations: irsa(roleArn) }
      : { create: false, name: 'external-dns' },
    sources: ['service', 'ingress'],
    policy: 'sync',
    registry: 'txt',
    txtOwnerId: env.cluster.cluster_name,
    domainFilters: [zone === 'public' ? env.cluster.public_domain : env.cluster.private_domain],
    // In prod the private domain lies below the public one, so the domain filter alone would let the public
    // instance publish private names: each instance only reads objects labelled for its zone.
    extraArgs: [`--aws-zone-type=${zone}`, `--zone-id-filter=${env.cluster.hosted_zone_ids[zone]}`, `--label-filter=${DNS_ZONE_LABEL}=${zone}`],
    serviceMonitor: { enabled: monitoring },
  }),
});

/**
 * The cluster add-ons the platforms rely on, each its upstream chart at a pinned version. Namespaces match
 * what lib/network-policies.ts and lib/cluster-secret-stores.ts expect.
 */
export const ADDONS: readonly AddonDefinition[] = [
  {
    name: 'kube-prometheus-stack',
    enabledBy: 'kubePrometheusStack',
    repoURL: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    version: '72.9.1',
    namespace: MONITORING_NAMESPACE,
    wave: APP_WAVES.crdAddons,
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
      // EKS runs these on the managed control plane; there is nothing to scrape.
      kubeControllerManager: { enabled: false },
      kubeScheduler: { enabled: false },
      kubeEtcd: { enabled: false },
      kubeProxy: { enabled: false },
      grafana: { enabled: true },
    }),
    // The chart's admission-webhook patch Job writes the caBundle.
    ignoreDifferences: [
      injectedCaBundle('MutatingWebhookConfiguration', 'kube-prometheus-stack-admission'),
      injectedCaBundle('ValidatingWebhookConfiguration', 'kube-prometheus-stack-admission'),
    ],
  },
  {
    name: 'external-secrets',
    enabledBy: 'externalSecrets',
    repoURL: 'https://charts.external-secrets.io',
    chart: 'external-secrets',
    version: '2.9.0',
    namespace: EXTERNAL_SECRETS_NAMESPACE,
    wave: APP_WAVES.coreAddons,
    roleKey: 'external-secrets',
    description: 'External Secrets Operator: Secrets from AWS Secrets Manager and SSM Parameter Store',
    values: ({ roleArn, monitoring }) => ({
      installCRDs: true,
      serviceAccount: { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT, annotations: irsa(roleArn) },
      serviceMonitor: { enabled: monitoring },
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
    repoURL: 'public.ecr.aws/karpenter',
    chart: 'karpenter',
    version: '1.12.1',
    namespace: 'kube-system',
    wave: APP_WAVES.coreAddons,
    roleKey: 'karpenter',
    description: 'Karpenter: nodes for the NodePool in dist/<env>/cluster/karpenter.yaml',
    values: ({ env, roleArn, monitoring }) => ({
      settings: { clusterName: env.cluster.cluster_name },
      serviceAccount: { annotations: irsa(roleArn) },
      controller: { resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } } },
      serviceMonitor: { enabled: monitoring },
    }),
  },
  {
    name: 'aws-load-balancer-controller',
    enabledBy: 'awsLoadBalancerController',
    repoURL: 'https://aws.github.io/eks-charts',
    chart: 'aws-load-balancer-controller',
    version: '1.13.0',
    namespace: 'kube-system',
    wave: APP_WAVES.coreAddons,
    roleKey: 'aws-load-balancer-controller',
    description: 'AWS Load Balancer Controller: ALBs for Ingresses, NLBs for LoadBalancer Services',
    values: ({ env, roleArn, monitoring }) => ({
      clusterName: env.cluster.cluster_name,
      region: env.cluster.region,
      replicaCount: 2,
      serviceAccount: { create: true, name: 'aws-load-balancer-controller', annotations: irsa(roleArn) },
      serviceMonitor: { enabled: monitoring },
    }),
    // The chart generates a new self-signed webhook certificate on every render.
    ignoreDifferences: [
      { group: '', kind: 'Secret', name: 'aws-load-balancer-tls', jsonPointers: ['/data'] },
      injectedCaBundle('MutatingWebhookConfiguration', 'aws-load-balancer-webhook'),
      injectedCaBundle('ValidatingWebhookConfiguration', 'aws-load-balancer-webhook'),
    ],
  },
  {
    name: 'metrics-server',
    enabledBy: 'metricsServer',
    repoURL: 'https://kubernetes-sigs.github.io/metrics-server/',
    chart: 'metrics-server',
    version: '3.13.0',
    namespace: 'kube-system',
    wave: APP_WAVES.coreAddons,
    description: 'metrics-server: the resource metrics HorizontalPodAutoscalers scale on',
    values: () => ({
      replicas: 2,
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
    }),
  },
  {
    name: 'ingress-nginx',
    enabledBy: 'ingressNginx',
    repoURL: 'https://kubernetes.github.io/ingress-nginx',
    chart: 'ingress-nginx',
    version: '4.14.1',
    namespace: INGRESS_NGINX_NAMESPACE,
    wave: APP_WAVES.edgeAddons,
    description: 'ingress-nginx: the `nginx` IngressClass, behind an internet-facing NLB',
    values: ({ env, monitoring, loadBalancerController }) => {
      // Service, ports and config of the controller's NLB (TLS, redirect, draining): lib/ingress-nginx-controller.ts.
      const edge = ingressNginxControllerValues(env, loadBalancerController);
      return {
        controller: {
          replicaCount: 2,
          ingressClass: 'nginx',
          ingressClassResource: { name: 'nginx', enabled: true, default: false, controllerValue: 'k8s.io/ingress-nginx' },
          ...edge,
          resources: { requests: { cpu: '100m', memory: '256Mi' } },
          metrics: { enabled: true, serviceMonitor: { enabled: monitoring } },
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
    repoURL: 'https://fluent.github.io/helm-charts',
    chart: 'fluent-bit',
    version: '0.46.5',
    namespace: 'logging',
    wave: APP_WAVES.edgeAddons,
    roleKey: 'fluent-bit',
    description: 'Fluent Bit: container logs to CloudWatch Logs',
    values: ({ env, roleArn, monitoring }) => ({
      serviceAccount: { create: true, annotations: irsa(roleArn) },
      serviceMonitor: { enabled: monitoring },
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

/** The add-ons an environment turns on, with their values; fails when a needed IAM role is missing. */
export function enabledAddons(env: Environment, addons: readonly AddonDefinition[] = ADDONS): { addon: AddonDefinition; values: Record<string, unknown> }[] {
  const context = { env, monitoring: env.addons.kubePrometheusStack, loadBalancerController: env.addons.awsLoadBalancerController };
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
      return { addon, values: addon.values({ ...context, roleArn }) };
    });
}
