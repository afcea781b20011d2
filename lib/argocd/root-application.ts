import { Construct } from 'constructs';
import { Application, AppProject } from '../../imports/argoproj.io';
import { ARGOCD_ROOT, BOOTSTRAP_PROJECT, ROOT_APPLICATION } from './gitops-plan';
import { argoLabels } from './labels';
import { syncPolicy } from './sync-policy';

export interface RootApplicationProps {
  readonly env: string;
  readonly argocdNamespace: string;
  readonly server: string;
  readonly repoURL: string;
  readonly targetRevision: string;
  /** Folder of the child Applications and AppProjects. @default argocd/<env>/apps */
  readonly path?: string;
  /** The apps folder holds ApplicationSets too (review environments). @default false */
  readonly applicationSets?: boolean;
  /** Annotations of the root Application, e.g. notification subscriptions. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * The one object a person applies by hand (`kubectl apply -f argocd/<env>/root.yaml`): an app of apps that
 * syncs `argocd/<env>/apps`, and the project it lives in, which may create nothing but Applications and
 * AppProjects in Argo CD's namespace. It has no resources finalizer on purpose: deleting the root by mistake
 * leaves every platform running.
 */
export class RootApplication extends Construct {
  constructor(scope: Construct, id: string, props: RootApplicationProps) {
    super(scope, id);
    const path = props.path ?? `${ARGOCD_ROOT}/${props.env}/apps`;
    new AppProject(this, 'project', {
      metadata: { name: BOOTSTRAP_PROJECT, namespace: props.argocdNamespace, labels: argoLabels(props.env, BOOTSTRAP_PROJECT) },
      spec: {
        description: `App of apps of ${props.env}: the AppProjects and Applications of ${path}`,
        sourceRepos: [props.repoURL],
        destinations: [{ server: props.server, namespace: props.argocdNamespace }],
        namespaceResourceWhitelist: [
          { group: 'argoproj.io', kind: 'Application' },
          ...(props.applicationSets ? [{ group: 'argoproj.io', kind: 'ApplicationSet' }] : []),
          { group: 'argoproj.io', kind: 'AppProject' },
        ],
      },
    });
    new Application(this, 'application', {
      metadata: {
        name: ROOT_APPLICATION,
        namespace: props.argocdNamespace,
        labels: argoLabels(props.env, ROOT_APPLICATION),
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        project: BOOTSTRAP_PROJECT,
        info: [{ name: 'Description', value: `Everything Argo CD runs in ${props.env}, rendered by npm run synth` }],
        source: { repoUrl: props.repoURL, targetRevision: props.targetRevision, path, directory: { recurse: true } },
        destination: { server: props.server, namespace: props.argocdNamespace },
        syncPolicy: syncPolicy(),
      },
    });
  }
}
