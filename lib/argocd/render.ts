import { App, Chart } from 'cdk8s';
import { ConfigError } from '../errors';
import type { Environment } from '../../environments/schema';
import type { PlatformDefinition } from '../platform';
import type { KubeObject, RenderedFile } from '../kube-object';
import { k8s } from '../k8s';
import { checkAddonRequirements } from './addon-requirements';
import { ADDONS, AddonDefinition } from '../addons/catalog';
import { argocdCmData } from '../addons/argocd-cm';
import { checkGitOpsPlan, GitOpsPlan, planGitOps, summarizeFolders } from './gitops-plan';
import { checkSecretStoreWaves } from './secret-store-waves';
import { GitOpsApplication } from './gitops-application';
import { GitOpsProject } from './gitops-project';
import { NOTIFICATIONS_CONFIGMAP, checkNotificationRouting, notificationsData, notificationSubscriptions } from './notifications';
import { ReviewApplicationSet } from './review-application-set';
import { planReviewEnvironments, REVIEW_APPLICATION_SET, ReviewPlan } from './review-plan';
import { RootApplication } from './root-application';

/**
 * Renders `argocd/<env>/` from the environment and its rendered `dist/<env>/` files: plan, check, synthesise.
 * Paths are relative to `argocd/`: `<env>/root.yaml`, `<env>/argocd-cm.yaml` (only without the argo-cd add-on), `<env>/apps/projects/<name>.yaml`,
 * `<env>/apps/addons/<name>.yaml`, `<env>/apps/cluster.yaml`, `<env>/apps/platforms/<name>.yaml`.
 * Pure: writes nothing; throws ConfigError when the model is broken.
 */
export function renderArgoCd(env: Environment, distFiles: readonly RenderedFile[], platforms: readonly PlatformDefinition[], addons: readonly AddonDefinition[] = ADDONS): RenderedFile[] {
  return renderArgoCdWithPlan(env, distFiles, platforms, addons).files;
}

/** `renderArgoCd`, with the checked plan the files were synthesised from (the cluster diagram draws it). */
export function renderArgoCdWithPlan(env: Environment, distFiles: readonly RenderedFile[], platforms: readonly PlatformDefinition[], addons: readonly AddonDefinition[] = ADDONS): { plan: GitOpsPlan; files: RenderedFile[] } {
  checkAddonRequirements(env, distFiles.filter((f) => f.path.startsWith(`${env.name}/`)));
  const plan = planGitOps(env, distFiles, platforms, addons);
  checkGitOpsPlan(plan, summarizeFolders(env.name, distFiles));
  checkSecretStoreWaves(plan, distFiles);
  checkNotificationRouting(env, plan.applications.flatMap((a) => (a.platform ? [a.platform] : [])));
  // With the argo-cd add-on, its chart renders argocd-cm (with argocdCmData()) and its Application syncs it;
  // a second argocd-cm here would be a copy nothing syncs, and would drift from what the cluster runs.
  const rendered = distFiles.filter((f) => f.path.startsWith(`${env.name}/`) && f.objects.some((o) => isArgocdCm(o, env.gitops.argocdNamespace)));
  for (const file of rendered) checkArgocdCm(env.name, file, env.gitops.argocdNamespace);
  return { plan, files: synthGitOps(plan, planReviewEnvironments(env, summarizeFolders(env.name, distFiles), platforms), { argocdCm: rendered.length === 0 }) };
}

/** The argocd-cm Argo CD runs must carry what this output relies on: argocdCmData(), unchanged. */
function checkArgocdCm(env: string, file: RenderedFile, argocdNamespace: string): void {
  const cm = file.objects.find((o) => isArgocdCm(o, argocdNamespace)) as KubeObject & { data?: Record<string, string> };
  const wrong = Object.entries(argocdCmData()).filter(([k, v]) => cm.data?.[k] !== v).map(([k]) => k);
  if (wrong.length > 0) {
    throw new ConfigError(
      `environment ${env}: dist/${file.path}: argocd-cm does not carry ${wrong.join(', ')} as lib/addons/argocd-cm.ts has them; ` +
        'the root app depends on them (sync waves wait on the Application health check) — pass argocdCmData() as configs.cm of the argo-cd add-on (lib/addons/catalog.ts)',
    );
  }
}

/** Is this Argo CD's `argocd-cm` ConfigMap? */
export const isArgocdCm = (o: KubeObject, argocdNamespace: string) => o.kind === 'ConfigMap' && o.metadata.name === 'argocd-cm' && o.metadata.namespace === argocdNamespace;

export interface SynthGitOpsOptions {
  /**
   * Render `argocd/<env>/argocd-cm.yaml`, for an Argo CD installed by other means than the argo-cd add-on.
   * @default true
   */
  readonly argocdCm?: boolean;
}

/** Turns a checked plan into files. */
export function synthGitOps(plan: GitOpsPlan, review?: ReviewPlan, options: SynthGitOpsOptions = {}): RenderedFile[] {
  const { env } = plan;
  const common = { env: env.name, argocdNamespace: env.gitops.argocdNamespace, server: env.gitops.destinationServer };
  const files: RenderedFile[] = [];
  const file = (path: string, build: (chart: Chart) => void) => {
    const chart = new Chart(new App({ outdir: 'cdk8s.out' }), 'argocd', { disableResourceNameHashes: true });
    build(chart);
    files.push({ path: `${env.name}/${path}`, objects: chart.toJson() as KubeObject[] });
  };

  file('root.yaml', (c) => new RootApplication(c, 'root', {
    ...common, repoURL: env.gitops.repoURL, targetRevision: env.gitops.targetRevision, annotations: notificationSubscriptions(env),
    applicationSets: review !== undefined,
  }));
  if (review) {
    file(`apps/projects/${review.project.name}.yaml`, (c) => new GitOpsProject(c, review.project.name, { ...common, plan: review.project }));
    file(`apps/review/${REVIEW_APPLICATION_SET}.yaml`, (c) => new ReviewApplicationSet(c, REVIEW_APPLICATION_SET, { ...common, ...review.applicationSet }));
  }
  // Argo CD's notification triggers and templates (notifications.ts); installed with Argo CD like argocd-cm.
  file(`${NOTIFICATIONS_CONFIGMAP}.yaml`, (c) => new k8s.KubeConfigMap(c, NOTIFICATIONS_CONFIGMAP, {
    metadata: {
      name: NOTIFICATIONS_CONFIGMAP,
      namespace: env.gitops.argocdNamespace,
      labels: { 'app.kubernetes.io/name': NOTIFICATIONS_CONFIGMAP, 'app.kubernetes.io/part-of': 'argocd' },
    },
    data: { ...notificationsData(env).configMapData },
  }));
  // What an Argo CD installed without the argo-cd add-on must be configured with (argocd-cm.ts); not synced by
  // the root app, which needs it first.
  if (options.argocdCm ?? true) file('argocd-cm.yaml', (c) => new k8s.KubeConfigMap(c, 'argocd-cm', {
    metadata: {
      name: 'argocd-cm',
      namespace: env.gitops.argocdNamespace,
      labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
    },
    data: argocdCmData(),
  }));
  for (const project of plan.projects) {
    file(`apps/projects/${project.name}.yaml`, (c) => new GitOpsProject(c, project.name, { ...common, plan: project }));
  }
  for (const application of plan.applications) {
    file(`apps/${application.file}`, (c) => new GitOpsApplication(c, application.name, {
      ...common, plan: application, repoURL: env.gitops.repoURL, targetRevision: env.gitops.targetRevision,
      annotations: notificationSubscriptions(env, application.platform),
    }));
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}
