/**
 * Waves of the Applications in `argocd/<env>/apps`, applied in this order by the root app: a wave starts only
 * when every Application of the earlier ones is done (the Application health check of lib/addons/argocd-cm.ts).
 */
export const APP_WAVES = {
  projects: -10,
  /** Every add-on's CRDs, before anything that uses them (the add-ons use each other's: ServiceMonitor, ExternalSecret). */
  crds: -5,
  /** Controllers that need nothing but CRDs: External Secrets, Karpenter, metrics-server, Argo CD itself. */
  coreAddons: -4,
  /** dist/<env>/cluster: ClusterSecretStores (need External Secrets), the Karpenter NodePool (needs Karpenter). */
  cluster: -3,
  /** Add-ons whose objects use the cluster's secret stores (the AWS Load Balancer Controller's webhook certificate). */
  storeAddons: -2,
  /** Controllers that depend on those (ingress-nginx's NLB needs the AWS Load Balancer Controller). */
  edgeAddons: -1,
  /** dist/<env>/<platform>. */
  platforms: 0,
} as const;
