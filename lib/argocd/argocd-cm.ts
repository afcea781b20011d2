/**
 * The `argocd-cm` settings this repository's Applications rely on, in one place: the argo-cd chart renders
 * them into its `argocd-cm` ConfigMap (`configs.cm`).
 */
export function argocdCmData(): Record<string, string> {
  return {
    // Resources are tracked by the argocd.argoproj.io/tracking-id annotation, not the app.kubernetes.io/instance
    // label, which the Helm charts of the add-ons set to their release name themselves.
    'application.resourceTrackingMethod': 'annotation',
  };
}
