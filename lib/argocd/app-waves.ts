/** Waves of the Applications in `argocd/<env>/apps`, applied in this order by the root app. */
export const APP_WAVES = {
  projects: -10,
  /** Every add-on's CRDs, before anything that uses them (the add-ons use each other's: ServiceMonitor, ExternalSecret). */
  crds: -4,
  /** Controllers the cluster objects and the other add-ons need. */
  coreAddons: -3,
  /** Controllers that depend on the core ones (ingress-nginx's NLB needs the AWS Load Balancer Controller). */
  edgeAddons: -2,
  /** dist/<env>/cluster: ClusterSecretStores, Karpenter NodePool. */
  cluster: -1,
  /** dist/<env>/<platform>. */
  platforms: 0,
} as const;
