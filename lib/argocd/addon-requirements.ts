import type { Addons, Environment } from '../../environments/schema';
import { ConfigError } from '../errors';
import type { KubeObject, RenderedFile } from '../kube-object';
import { groupOf } from '../kinds';

interface Requirement {
  readonly addon: keyof Addons;
  /** What the add-on provides that the object needs. */
  readonly why: string;
}

/** API groups whose CRDs (and controllers) an add-on installs. */
const GROUP_OWNERS: Readonly<Record<string, Requirement>> = {
  'monitoring.coreos.com': { addon: 'kubePrometheusStack', why: 'its CRD comes with kube-prometheus-stack' },
  'external-secrets.io': { addon: 'externalSecrets', why: 'its CRD and controller come with External Secrets' },
  'karpenter.sh': { addon: 'karpenter', why: 'its CRD and controller come with Karpenter' },
  'karpenter.k8s.aws': { addon: 'karpenter', why: 'its CRD and controller come with Karpenter' },
  'elbv2.k8s.aws': { addon: 'awsLoadBalancerController', why: 'its CRD and controller come with the AWS Load Balancer Controller' },
};

const INGRESS_CLASS_OWNERS: Readonly<Record<string, Requirement>> = {
  alb: { addon: 'awsLoadBalancerController', why: 'ingress class alb is served by the AWS Load Balancer Controller' },
  nginx: { addon: 'ingressNginx', why: 'ingress class nginx is served by ingress-nginx' },
};

/** The add-on without which the object could never sync or become healthy, if any. */
export function requiredAddon(o: KubeObject): Requirement | undefined {
  const owner = GROUP_OWNERS[groupOf(o.apiVersion)];
  if (owner) return owner;
  const spec = (o as { spec?: Record<string, unknown> }).spec ?? {};
  if (o.kind === 'Ingress' && typeof spec.ingressClassName === 'string') return INGRESS_CLASS_OWNERS[spec.ingressClassName];
  if (o.kind === 'Service' && spec.loadBalancerClass === 'service.k8s.aws/nlb') {
    return { addon: 'awsLoadBalancerController', why: 'loadBalancerClass service.k8s.aws/nlb is served by the AWS Load Balancer Controller' };
  }
  if (o.kind === 'HorizontalPodAutoscaler') return { addon: 'metricsServer', why: 'an HPA reads resource metrics from metrics-server' };
  return undefined;
}

/**
 * Refuses an environment that turns off an add-on its rendered objects need: without it Argo CD cannot sync
 * them (no CRD) or they never become healthy (no controller), and every later sync wave waits forever.
 * Reports every such object at once.
 */
export function checkAddonRequirements(env: Environment, files: readonly RenderedFile[]): void {
  const problems = new Map<keyof Addons, string[]>();
  for (const file of files) {
    for (const o of file.objects) {
      const need = requiredAddon(o);
      if (!need || env.addons[need.addon]) continue;
      const list = problems.get(need.addon) ?? [];
      list.push(`dist/${file.path}: ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} (${need.why})`);
      problems.set(need.addon, list);
    }
  }
  if (problems.size === 0) return;
  const lines = [...problems].map(([addon, objects]) =>
    `  - addons.${addon} is false, but ${objects.length} rendered object(s) need it — set addons.${addon}: true, or remove what needs it from this environment:\n` +
    objects.slice(0, 5).map((x) => `      ${x}`).join('\n') + (objects.length > 5 ? `\n      ... and ${objects.length - 5} more` : ''));
  throw new ConfigError(`environments/${env.name}.ts: add-ons turned off that the rendered objects need:\n${lines.join('\n')}`);
}
