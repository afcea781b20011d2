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

