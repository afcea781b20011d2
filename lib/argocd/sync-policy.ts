import type { ApplicationSpecSyncPolicy } from '../../imports/argoproj.io';

/**
 * Argo CD deletes what an Application synced when the Application itself is deleted (cascade, foreground).
 * The path form is the same finalizer as the bare `resources-finalizer.argocd.argoproj.io`; current API
 * servers warn about finalizer names without a path, and a warning fails `npm run validate:server`.
 */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io/foreground';

/**
 * Keeps an AppProject until no Application references it. Removing a platform deletes its Application and its
 * project in one prune; without this the project went first, and the Application's deletion then failed forever
 * ("error getting app project") with its workloads still running (found by `npm run validate:argocd`). Argo CD
 * honours only this exact name on projects (`ResourcesFinalizerName`), so it has no path; validate:server
 * accepts the API server's warning about that (tools/apiserver/allowlist.yaml).
 */
export const PROJECT_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

export interface SyncPolicyOptions {
  /** Let Argo CD create the destination namespace. @default false */
  readonly createNamespace?: boolean;
  /** Leave ignored fields alone on sync too, not only in the diff. @default false */
  readonly respectIgnoreDifferences?: boolean;
  /** Retries of a failed sync; negative retries forever. @default -1 */
  readonly retryLimit?: number;
}

/**
 * How every Application syncs: automatically, deleting what left Git (prune, after everything else is
 * healthy) and undoing changes made in the cluster (selfHeal); server-side apply, so large CRDs fit and
 * fields owned by controllers stay theirs; failed syncs retried with exponential backoff (10s, 20s, ... then
 * every 5m) without a limit: a limited retry gives up after about 5 minutes, and a branch that rarely moves
 * (prod tracks `release`) would then stay broken until the next commit or a person clicks sync.
 */
export function syncPolicy(options: SyncPolicyOptions = {}): ApplicationSpecSyncPolicy {
  return {
    automated: { prune: true, selfHeal: true },
    syncOptions: [
      ...(options.createNamespace ? ['CreateNamespace=true'] : []),
      'PruneLast=true',
      ...(options.respectIgnoreDifferences ? ['RespectIgnoreDifferences=true'] : []),
      'ServerSideApply=true',
    ],
    retry: { limit: options.retryLimit ?? -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
  };
}
