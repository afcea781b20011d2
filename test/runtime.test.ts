import { checkPolicies, PolicyReport } from '../lib/policy/gate';
import type { RenderedFile } from '../lib/render/kube-object';
import { Any, loadCommitted, objects, render } from './helpers';

/**
 * What the rendered objects do once they run (issue #12): CPU is never capped behind a container's back,
 * rollouts behind AWS load balancers drain, singletons are not consolidated away, PDBs never stall a drain,
 * TLS where traffic leaves the cluster. Each block asserts the rendered fields and that the policy gate
 * refuses the broken variant.
 */
const ENVS = ['dev', 'staging', 'prod'] as const;
const rendered = Object.fromEntries(ENVS.map((env) => [env, render(env)])) as Record<(typeof ENVS)[number], RenderedFile[]>;
const prod = rendered.prod;

const check = (files: RenderedFile[]): PolicyReport => checkPolicies(files, new Map([['prod', 'immutable']]));
function mutate(files: RenderedFile[], kind: string, name: string, change: (o: Any) => void, namespace?: string): RenderedFile[] {
  const copy: RenderedFile[] = structuredClone(files);
  const target = copy.flatMap((f) => f.objects as Any[]).find((o) => o.kind === kind && o.metadata.name === name && (!namespace || o.metadata.namespace === namespace));
  if (!target) throw new Error(`no ${kind} ${name}`);
  change(target);
  return copy;
}
const violationsOf = (files: RenderedFile[], rule: string) => check(files).violations.filter((v) => v.rule === rule);

describe('1. no CPU limit behind a container\'s back', () => {
  test.each(ENVS)('%s: LimitRanges default only a CPU request and memory; quotas bound requests.cpu, not limits.cpu', (env) => {
    const list = objects(rendered[env]);
    const limitRanges = list.filter((o) => o.kind === 'LimitRange');
    const quotas = list.filter((o) => o.kind === 'ResourceQuota');
    expect(limitRanges.length).toBe(5);
    expect(quotas.length).toBe(5);
    for (const lr of limitRanges) {
      for (const limit of lr.spec.limits) {
        expect(limit.default).toEqual({ memory: '256Mi' });
        expect(limit.defaultRequest).toEqual({ cpu: '100m', memory: '128Mi' });
        expect(limit.max?.cpu).toBeUndefined();
      }
    }
    for (const quota of quotas) {
      expect(quota.spec.hard['limits.cpu']).toBeUndefined();
      expect(quota.spec.hard['requests.cpu']).toBeDefined();
      expect(quota.spec.hard['limits.memory']).toBeDefined();
    }
  });

  test('an environment that still sets limitsCpu is told to remove it', () => {
    expect(() => loadCommitted('staging', (e: Any) => { e.namespaceQuota.limitsCpu = '32'; })).toThrow(
      /environment staging: environments\/staging\.ts is invalid:\n\s+- namespaceQuota\.limitsCpu: remove limitsCpu: containers run without CPU limits/,
    );
  });

  test('the gate refuses a default CPU limit and a quota on limits.cpu', () => {
    expect(check(prod).violations).toEqual([]);
    const limitRange = violationsOf(mutate(prod, 'LimitRange', 'storefront', (o) => { o.spec.limits[0].default.cpu = '500m'; }), 'no-cpu-limit-defaults');
    expect(limitRange).toEqual([expect.objectContaining({ object: 'LimitRange storefront/storefront', message: expect.stringMatching(/set default\.cpu \(500m\)/) })]);
    const quota = violationsOf(mutate(prod, 'ResourceQuota', 'toytrex', (o) => { o.spec.hard['limits.cpu'] = '64'; }), 'no-cpu-limit-defaults');
    expect(quota).toEqual([expect.objectContaining({ object: 'ResourceQuota toytrex/toytrex', message: expect.stringMatching(/hard limits\.cpu \(64\)/) })]);
  });
});

describe('5. singletons are not consolidated away by Karpenter', () => {
  const podAnnotations = (o: Any) => o.spec.template.metadata.annotations ?? {};

  test.each(ENVS)('%s: user-service (in memory) and every single-member data store carry do-not-disrupt; replicated workloads do not', (env) => {
    const list = objects(rendered[env]);
    const singletons = list.filter((o) => (o.kind === 'StatefulSet' && o.spec.replicas === 1) || (o.kind === 'Deployment' && o.spec.strategy.type === 'Recreate'));
    const names = singletons.map((o) => o.metadata.name).sort();
    expect(names).toEqual(expect.arrayContaining(['customer-mysql', 'user-service']));
    if (env !== 'prod') expect(names).toContain('resource-hub-postgres');
    for (const o of singletons) expect([o.metadata.name, podAnnotations(o)['karpenter.sh/do-not-disrupt']]).toEqual([o.metadata.name, 'true']);
    for (const o of list.filter((w) => (w.kind === 'Deployment' || w.kind === 'StatefulSet') && !singletons.includes(w))) {
      expect([o.metadata.name, podAnnotations(o)['karpenter.sh/do-not-disrupt']]).toEqual([o.metadata.name, undefined]);
    }
  });

  test('the gate refuses a singleton without it', () => {
    const files = mutate(prod, 'StatefulSet', 'customer-mysql', (o) => { delete o.spec.template.metadata.annotations; });
    expect(violationsOf(files, 'singleton-do-not-disrupt')).toEqual([
      expect.objectContaining({ object: 'StatefulSet sales-order/customer-mysql', message: expect.stringMatching(/runs a single member but its pods lack the annotation karpenter\.sh\/do-not-disrupt/) }),
    ]);
    const user = mutate(prod, 'Deployment', 'user-service', (o) => { delete o.spec.template.metadata.annotations['karpenter.sh/do-not-disrupt']; });
    expect(violationsOf(user, 'singleton-do-not-disrupt').map((v) => v.object)).toEqual(['Deployment sales-order/user-service']);
  });
});

describe('6. no PodDisruptionBudget stalls a drain', () => {
  test.each(ENVS)('%s: every PDB lets unhealthy pods be evicted', (env) => {
    const pdbs = objects(rendered[env]).filter((o) => o.kind === 'PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThan(env === 'dev' ? 1 : 10);
    for (const pdb of pdbs) expect([pdb.metadata.name, pdb.spec.unhealthyPodEvictionPolicy]).toEqual([pdb.metadata.name, 'AlwaysAllow']);
  });

  test('the gate refuses a PDB without AlwaysAllow', () => {
    const files = mutate(prod, 'PodDisruptionBudget', 'order-mongodb', (o) => { delete o.spec.unhealthyPodEvictionPolicy; });
    expect(violationsOf(files, 'pdb-unhealthy-eviction')).toEqual([
      expect.objectContaining({ object: 'PodDisruptionBudget sales-order/order-mongodb', message: expect.stringMatching(/unset \(IfHealthyBudget\): a crash-looping pod would block every node drain/) }),
    ]);
  });
});

describe('2. rollouts behind AWS load balancers drop no request', () => {
  const TARGETS: Record<string, { namespace: string; front: [string, string]; targetType: 'ip' | 'instance' }> = {
    'storefront/web': { namespace: 'storefront', front: ['Service', 'web'], targetType: 'ip' },
    'port-assignment/backend': { namespace: 'port-assignment', front: ['Ingress', 'backend-public'], targetType: 'ip' },
    'port-assignment/assignment-engine': { namespace: 'port-assignment', front: ['Ingress', 'assignment-engine'], targetType: 'ip' },
    'resource-hub/gateway': { namespace: 'resource-hub', front: ['Ingress', 'gateway'], targetType: 'ip' },
    'toytrex/web': { namespace: 'toytrex', front: ['Ingress', 'web'], targetType: 'instance' },
  };
  const find = (files: RenderedFile[], kind: string, name: string, namespace: string) =>
    objects(files).find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);

  test.each(ENVS)('%s: every ALB/NLB target sleeps past the explicit deregistration delay, then gets time to stop', (env) => {
    for (const [id, t] of Object.entries(TARGETS)) {
      const name = id.split('/')[1];
      const pod = find(rendered[env], 'Deployment', name, t.namespace).spec.template.spec;
      const front = find(rendered[env], t.front[0], t.front[1], t.namespace);
      const attributes = front.metadata.annotations[t.front[0] === 'Service' ? 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes' : 'alb.ingress.kubernetes.io/target-group-attributes'];
      expect([id, attributes]).toEqual([id, expect.stringContaining('deregistration_delay.timeout_seconds=30')]);
      expect([id, pod.containers[0].lifecycle]).toEqual([id, { preStop: { exec: { command: ['sleep', '40'] } } }]);
      expect([id, pod.terminationGracePeriodSeconds]).toEqual([id, 60]);
    }
    // Not behind an AWS load balancer: no sleep, the default grace.
    const middleware = find(rendered[env], 'Deployment', 'middleware', 'toytrex').spec.template.spec;
    expect(middleware.containers[0].lifecycle).toBeUndefined();
    expect(middleware.terminationGracePeriodSeconds).toBe(30);
  });

  test.each(ENVS)('%s: namespaces with IP targets are labelled for readiness gates, the others are not', (env) => {
    const labelled = objects(rendered[env]).filter((o) => o.kind === 'Namespace' && o.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject'] === 'enabled').map((o) => o.metadata.name).sort();
    // toytrex's ALB targets nodes (instance), sales-order sits behind ingress-nginx: no readiness gate applies.
    expect(labelled).toEqual(['port-assignment', 'resource-hub', 'storefront']);
  });

  test('the gate refuses a target without preStop, a sleep shorter than the delay, a short grace, an unlabelled namespace', () => {
    const rule = 'load-balancer-draining';
    const noHook = violationsOf(mutate(prod, 'Deployment', 'gateway', (o) => { delete o.spec.template.spec.containers[0].lifecycle; }), rule);
    expect(noHook).toEqual([expect.objectContaining({ object: 'Deployment resource-hub/gateway', message: 'container gateway is a target of Ingress gateway but has no preStop hook: it stops while the load balancer still sends to it' })]);
    const longDelay = violationsOf(mutate(prod, 'Service', 'web', (o) => { delete o.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes']; }, 'storefront'), rule);
    expect(longDelay).toEqual([expect.objectContaining({ object: 'Deployment storefront/web', message: 'container web: preStop sleeps 40s, less than the 300s deregistration delay of Service web' })]);
    const shortGrace = violationsOf(mutate(prod, 'Deployment', 'web', (o) => { o.spec.template.spec.terminationGracePeriodSeconds = 40; }, 'toytrex'), rule);
    expect(shortGrace).toEqual([expect.objectContaining({ object: 'Deployment toytrex/web', message: expect.stringMatching(/terminationGracePeriodSeconds 40 leaves container web no time/) })]);
    const unlabelled = violationsOf(mutate(prod, 'Namespace', 'port-assignment', (o) => { delete o.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']; }), rule);
    expect(unlabelled.map((v) => v.object).sort()).toEqual(['Deployment port-assignment/assignment-engine', 'Deployment port-assignment/backend']);
    expect(unlabelled[0].message).toMatch(/lacks the label elbv2\.k8s\.aws\/pod-readiness-gate-inject: enabled/);
  });
});
