import { Construct } from 'constructs';
import { Application, ApplicationSpecSource } from '../../imports/argoproj.io';
import type { ApplicationPlan } from './gitops-plan';
import { argoLabels, waveAnnotation } from './labels';
import { RESOURCES_FINALIZER, syncPolicy } from './sync-policy';

export interface GitOpsApplicationProps {
  readonly env: string;
  readonly plan: ApplicationPlan;
  readonly argocdNamespace: string;
  readonly server: string;
  /** This repository, for folder sources. */
  readonly repoURL: string;
  /** Branch, tag or commit the environment tracks, for folder sources. */
  readonly targetRevision: string;
  /** Further annotations, e.g. notification subscriptions. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * An Argo CD Application: a folder of `dist/<env>/` from this repository (a platform, the cluster objects or
 * an add-on rendered from its chart). Synced automatically (see syncPolicy); deleting it
 * deletes what it synced (resources finalizer).
 */
export class GitOpsApplication extends Construct {
  constructor(scope: Construct, id: string, props: GitOpsApplicationProps) {
    super(scope, id);
    const { plan } = props;
    // No `directory` block: its only setting here would be the default (recurse: false), and Argo CD strips
    // default values from the spec, so the root app would see its child differ from Git and re-apply it forever.
    const source: ApplicationSpecSource = { repoUrl: props.repoURL, targetRevision: props.targetRevision, path: plan.source.path };
    new Application(this, 'application', {
      metadata: {
        name: plan.name,
        namespace: props.argocdNamespace,
        labels: argoLabels(props.env, plan.name),
        annotations: { ...waveAnnotation(plan.wave), ...props.annotations },
        finalizers: [RESOURCES_FINALIZER],
      },
      spec: {
        project: plan.project,
        info: [{ name: 'Description', value: plan.description }],
        source,
        destination: { server: props.server, namespace: plan.destinationNamespace },
        syncPolicy: syncPolicy({ createNamespace: plan.createNamespace, respectIgnoreDifferences: plan.ignoreDifferences.length > 0 }),
        ...(plan.ignoreDifferences.length > 0
          ? {
            ignoreDifferences: plan.ignoreDifferences.map((d) => ({
              group: d.group,
              kind: d.kind,
              name: d.name,
              namespace: d.namespace,
              jsonPointers: d.jsonPointers ? [...d.jsonPointers] : undefined,
              jqPathExpressions: d.jqPathExpressions ? [...d.jqPathExpressions] : undefined,
            })),
          }
          : {}),
      },
    });
  }
}
