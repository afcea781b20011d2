import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { argoLabels, waveAnnotation } from './labels';
import { RESOURCES_FINALIZER, syncPolicy } from './sync-policy';

export interface ReviewApplicationSetProps {
  readonly env: string;
  readonly argocdNamespace: string;
  readonly server: string;
  /** This repository: where the pull requests are and where their rendered branches are pushed. */
  readonly repoURL: string;
  /** GitHub owner and repository of `repoURL`. */
  readonly github: { readonly owner: string; readonly repo: string };
  /** Secret (in Argo CD's namespace) and key of the GitHub token the generator lists pull requests with. */
  readonly tokenRef: { readonly secretName: string; readonly key: string };
  /** Only pull requests with this label get an environment; the workflow sets it once the branch exists. */
  readonly label: string;
  /** Branch of PR n's rendered output, with `{{.number}}` for n, e.g. `review/pr-{{.number}}`. */
  readonly branch: string;
  /** Platforms rendered per pull request, each one Application, with the Slack channel of its team. */
  readonly platforms: readonly { readonly platform: string; readonly channel: string }[];
  /** Namespace of a platform in PR n's environment, with `{{.number}}` and `{{.platform}}`. */
  readonly namespace: string;
  /** The AppProject of review Applications. */
  readonly project: string;
  /** Argo CD asks GitHub this often for open pull requests. */
  readonly requeueAfterSeconds: number;
  /** Annotations of each generated Application (notification subscriptions); `{{.platform}}`, `{{.channel}}` allowed. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly wave: number;
}

/**
 * The review environments of one cluster: an Argo CD ApplicationSet whose pull-request generator (GitHub) makes
 * one Application per open, labelled pull request and platform, syncing `dist/review-<n>/<platform>` from the
 * branch the pull-request workflow pushed. When the pull request closes (or loses the label) the generator
 * drops it, the ApplicationSet deletes the Application, and its resources finalizer deletes everything it
 * synced, the namespace and the data stores' volumes with it.
 */
export class ReviewApplicationSet extends Construct {
  constructor(scope: Construct, id: string, props: ReviewApplicationSetProps) {
    super(scope, id);
    new ApiObject(this, 'application-set', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: {
        name: id,
        namespace: props.argocdNamespace,
        labels: argoLabels(props.env, id),
        annotations: waveAnnotation(props.wave),
      },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{
          matrix: {
            generators: [
              {
                pullRequest: {
                  github: { owner: props.github.owner, repo: props.github.repo, tokenRef: { ...props.tokenRef }, labels: [props.label] },
                  requeueAfterSeconds: props.requeueAfterSeconds,
                },
              },
              { list: { elements: props.platforms.map((p) => ({ platform: p.platform, channel: p.channel })) } },
            ],
          },
        }],
        // Deleting an Application (its pull request closed) deletes what it synced; nothing is kept.
        syncPolicy: { preserveResourcesOnDeletion: false },
        template: {
          metadata: {
            name: 'review-{{.number}}-{{.platform}}',
            labels: { ...argoLabels(props.env, 'review-{{.number}}-{{.platform}}'), 'platform-manifests/review': '{{.number}}' },
            annotations: { ...props.annotations },
            finalizers: [RESOURCES_FINALIZER],
          },
          spec: {
            project: props.project,
            info: [{ name: 'Pull request', value: `${props.repoURL.replace(/\.git$/, '')}/pull/{{.number}}` }],
            source: { repoURL: props.repoURL, targetRevision: props.branch, path: 'dist/review-{{.number}}/{{.platform}}', directory: { recurse: false } },
            destination: { server: props.server, namespace: props.namespace },
            syncPolicy: syncPolicy(),
          },
        },
      },
    });
  }
}
