/**
 * The one Argo CD release this repository is written for: the clusters install it, `npm run validate:argocd`
 * builds and runs it (tools/argocd/go.mod pins the same module version; a test keeps them equal), and the
 * Application/AppProject CRDs the check installs come from its `manifests/crds/`.
 *
 * Argo CD 3.x is required: 2.x tracks resources by rewriting `app.kubernetes.io/instance`, the label every
 * ServiceMonitor here selects on, and `argocd-cm` (lib/addons/argocd-cm.ts) relies on 3.x defaults.
 */
export const ARGOCD_VERSION = 'v3.6.1';

/**
 * The upstream Helm chart the clusters install Argo CD with. The offline chart mirror's newest is 10.1.1
 * (app v3.4.4), so the install overrides its image tag with ARGOCD_VERSION (`global.image.tag`) and leaves
 * out the chart's CRDs for those of ARGOCD_VERSION, vendored in addons/crds/argo-cd/ (`npm run addons:crds`).
 */
export const ARGOCD_CHART = {
  repoURL: 'https://argoproj.github.io/argo-helm',
  chart: 'argo-cd',
  version: '10.1.1',
  /** Values that make the chart run ARGOCD_VERSION instead of the chart's appVersion. */
  imageValues: { global: { image: { tag: ARGOCD_VERSION } } },
} as const;
