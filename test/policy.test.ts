import { checkPolicies, EXEMPTION_PREFIX, PolicyReport } from '../lib/policy/gate';
import { RULES } from '../lib/policy/rules';
import type { RenderedFile } from '../lib/kube-object';
import { Any, render } from './helpers';

/**
 * Each rule of the policy gate, on the real prod render: untouched it passes; one targeted change breaks
 * exactly that rule for exactly that object; an annotation with a reason opts the object out and is listed.
 */
const base = render('prod');
const check = (files: RenderedFile[], immutable = true): PolicyReport => checkPolicies(files, new Map([['prod', immutable ? 'immutable' : 'pinned']]));

function mutate(kind: string, name: string, change: (o: Any) => void): RenderedFile[] {
  const files: RenderedFile[] = structuredClone(base);
  const target = files.flatMap((f) => f.objects as Any[]).find((o) => o.kind === kind && o.metadata.name === name);
  if (!target) throw new Error(`no ${kind} ${name}`);
  change(target);
  return files;
}

function remove(kind: string, name: string): RenderedFile[] {
  return structuredClone(base).map((f) => ({ ...f, objects: f.objects.filter((o) => !(o.kind === kind && o.metadata.name === name)) }));
}

const container = (o: Any) => o.spec.template.spec.containers[0];

describe('policy gate', () => {
  test('the real render passes every rule', () => {
    expect(check(base).violations).toEqual([]);
  });

  const breaks: [string, string, string, () => RenderedFile[], RegExp][] = [
    ['restricted-security-context', 'Deployment', 'customer-service', () => mutate('Deployment', 'customer-service', (o) => { container(o).securityContext.allowPrivilegeEscalation = true; }), /allowPrivilegeEscalation is not false/],
    ['restricted-security-context', 'Deployment', 'customer-service', () => mutate('Deployment', 'customer-service', (o) => { delete container(o).securityContext.capabilities; }), /capabilities do not drop ALL/],
    ['restricted-security-context', 'Deployment', 'order-service', () => mutate('Deployment', 'order-service', (o) => { container(o).securityContext.readOnlyRootFilesystem = false; }), /readOnlyRootFilesystem/],
    ['restricted-security-context', 'StatefulSet', 'customer-mysql', () => mutate('StatefulSet', 'customer-mysql', (o) => { delete o.spec.template.spec.securityContext.seccompProfile; delete container(o).securityContext.seccompProfile; }), /seccompProfile/],
    ['probes', 'Deployment', 'product-service', () => mutate('Deployment', 'product-service', (o) => { delete container(o).livenessProbe; }), /no livenessProbe/],
    ['resources', 'Deployment', 'user-service', () => mutate('Deployment', 'user-service', (o) => { delete container(o).resources.limits; }), /no limits\.memory/],
    ['pod-disruption-budget', 'Deployment', 'order-service', () => remove('PodDisruptionBudget', 'order-service'), /no PodDisruptionBudget/],
    ['pinned-images', 'Deployment', 'order-service', () => mutate('Deployment', 'order-service', (o) => { container(o).image = 'nginx:latest'; }), /not pinned/],
    ['pinned-images', 'Deployment', 'order-service', () => mutate('Deployment', 'order-service', (o) => { container(o).image = 'repo/app:main-3f2a1c9'; }), /digest or a MAJOR\.MINOR\.PATCH/],
    ['network-policy', 'Deployment', 'user-service', () => remove('NetworkPolicy', 'user-service'), /no NetworkPolicy selects its pods/],
    ['network-policy', 'Deployment', 'user-service', () => remove('NetworkPolicy', 'default-deny'), /no default-deny/],
    ['service-selector', 'Service', 'customer-service', () => mutate('Service', 'customer-service', (o) => { o.spec.selector['app.kubernetes.io/name'] = 'customer-svc'; }), /matches no workload/],
    ['service-selector', 'Service', 'product-redis', () => mutate('Service', 'product-redis', (o) => { o.spec.selector['statefulset.kubernetes.io/pod-name'] = 'product-redis-7'; }), /matches no workload/],
    ['service-selector', 'Service', 'order-service', () => mutate('Service', 'order-service', (o) => { o.spec.ports[0].targetPort = 'htp'; }), /targets htp/],
    ['ingress-backend', 'Ingress', 'user-service', () => mutate('Ingress', 'user-service', (o) => { o.spec.rules[0].http.paths[0].backend.service.name = 'users'; }), /backend users:http/],
  ];

  test.each(breaks)('%s: a broken %s %s is reported', (rule, kind, name, files, message) => {
    const { violations } = check(files());
    expect(violations.length).toBeGreaterThan(0);
    for (const v of violations) expect(v.rule).toBe(rule);
    expect(violations.map((v) => v.object)).toContain(`${kind} sales-order/${name}`);
    // A change to one object flags only that object (removing default-deny flags every workload).
    if (!message.source.includes('default-deny')) expect(new Set(violations.map((v) => v.object)).size).toBe(1);
    expect(violations.map((v) => v.message).join('\n')).toMatch(message);
  });

  test('no-secret-data: a Secret with data is reported, an empty one is not', () => {
    const secret = (data?: Record<string, string>): RenderedFile => ({
      path: 'prod/sales-order/leak.yaml',
      objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak', namespace: 'sales-order' }, ...(data ? { data } : {}) }],
    });
    expect(check([...base, secret({ password: 'aHVudGVyMg==' })]).violations).toEqual([
      expect.objectContaining({ rule: 'no-secret-data', object: 'Secret sales-order/leak' }),
    ]);
    expect(check([...base, secret()]).violations).toEqual([]);
  });

  test('a mutable tag is fine where the environment does not demand immutable images', () => {
    const files = mutate('Deployment', 'order-service', (o) => { container(o).image = 'repo/app:main-3f2a1c9'; });
    expect(check(files, false).violations).toEqual([]);
  });

  test('an opt-out with a reason exempts the object from that one rule and is listed', () => {
    const files = mutate('Deployment', 'product-service', (o) => {
      delete container(o).livenessProbe;
      container(o).securityContext.readOnlyRootFilesystem = false;
      o.metadata.annotations = { [`${EXEMPTION_PREFIX}probes`]: 'legacy image has no health endpoint until 2.1' };
    });
    const report = check(files);
    expect(report.exemptions).toContainEqual(expect.objectContaining({ rule: 'probes', object: 'Deployment sales-order/product-service', reason: 'legacy image has no health endpoint until 2.1' }));
    expect(report.violations).toEqual([expect.objectContaining({ rule: 'restricted-security-context', object: 'Deployment sales-order/product-service' })]);
  });

  test('an opt-out without a reason, or of an unknown rule, is itself a violation', () => {
    const empty = mutate('Deployment', 'product-service', (o) => { o.metadata.annotations = { [`${EXEMPTION_PREFIX}probes`]: '' }; });
    expect(check(empty).violations).toEqual([expect.objectContaining({ rule: 'probes', message: expect.stringMatching(/without a reason/) })]);
    const unknown = mutate('Deployment', 'product-service', (o) => { o.metadata.annotations = { [`${EXEMPTION_PREFIX}everything`]: 'because we are in a hurry today' }; });
    expect(check(unknown).violations).toEqual([expect.objectContaining({ message: expect.stringMatching(/unknown rule 'everything'/) })]);
  });

  test('every rule has an id and a description', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) expect(r.description.length).toBeGreaterThan(10);
  });
});
