/**
 * The Argo CD version the clusters run and the real Argo CD check uses. The argo-cd chart renders Argo CD
 * with its images overridden to this tag (lib/addons/catalog.ts).
 */
export const ARGOCD_VERSION = 'v3.6.1';
