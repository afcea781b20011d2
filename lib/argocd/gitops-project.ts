import { Construct } from 'constructs';
import { AppProject } from '../../imports/argoproj.io';
import { APP_WAVES } from '../app-waves';
import type { GroupKind, ProjectPlan } from './gitops-plan';
import { argoLabels, waveAnnotation } from './labels';
import { PROJECT_FINALIZER } from './sync-policy';

export interface GitOpsProjectProps {
  readonly env: string;
  readonly plan: ProjectPlan;
  /** Argo CD's namespace. */
  readonly argocdNamespace: string;
  /** The only cluster the project deploys to. */
  readonly server: string;
  /** Sync wave in the root app. @default APP_WAVES.projects */
  readonly wave?: number;
}

const kinds = (list: readonly GroupKind[]) => list.map((k) => ({ group: k.group, kind: k.kind }));

/**
 * An Argo CD AppProject: the repositories, the cluster, the namespaces and the kinds its Applications may
 * use, and nothing else. Cluster-scoped kinds are whitelisted one by one; namespaced kinds too when the plan
 * lists them (an empty list denies every namespaced kind).
 */
export class GitOpsProject extends Construct {
  constructor(scope: Construct, id: string, props: GitOpsProjectProps) {
    super(scope, id);
    const { plan } = props;
    const namespaced = plan.namespacedKinds;
    new AppProject(this, 'project', {
      metadata: {
        name: plan.name,
        namespace: props.argocdNamespace,
        labels: argoLabels(props.env, plan.name),
        annotations: waveAnnotation(props.wave ?? APP_WAVES.projects),
        finalizers: [PROJECT_FINALIZER],
      },
      spec: {
        description: plan.description,
        sourceRepos: [...plan.sourceRepos],
        destinations: plan.destinationNamespaces.map((namespace) => ({ server: props.server, namespace })),
        clusterResourceWhitelist: kinds(plan.clusterKinds),
        ...(namespaced === undefined ? {} : namespaced.length > 0
          ? { namespaceResourceWhitelist: kinds(namespaced) }
          : { namespaceResourceBlacklist: [{ group: '*', kind: '*' }] }),
      },
    });
  }
}
