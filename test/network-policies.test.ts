import { Endpoint, allowed } from './support/network-policy-evaluator';
import { objects, render } from './helpers';

const pod = (namespace: string, name: string): Endpoint => ({
  namespace,
  labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name },
});
const kubeDns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const ingressNginx: Endpoint = { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
const prometheus: Endpoint = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const internet: Endpoint = { ip: '52.94.0.10' };

describe('network policies derived from the sales-order model (prod)', () => {
  const policies = objects(render('prod')).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'sales-order');
  const so = (name: string) => pod('sales-order', name);
  const flows: [string, Endpoint, Endpoint, number, boolean][] = [
    ['customer-service → its MySQL', so('customer-service'), so('customer-mysql'), 3306, true],
    ['order-service → its MongoDB', so('order-service'), so('order-mongodb'), 27017, true],
    ['product-service → its Redis', so('product-service'), so('product-redis'), 6379, true],
    ['order-service → customer-service (declared)', so('order-service'), so('customer-service'), 8080, true],
    ['order-service → product-service (declared)', so('order-service'), so('product-service'), 8080, true],
    ['MongoDB members → each other', so('order-mongodb'), so('order-mongodb'), 27017, true],
    ['Redis replicas → primary', so('product-redis'), so('product-redis'), 6379, true],
    ['ingress-nginx → an exposed service', ingressNginx, so('customer-service'), 8080, true],
    ['Prometheus → a metrics port', prometheus, so('order-service'), 8080, true],
    ['any pod → kube-dns', so('user-service'), kubeDns, 53, true],
    ['order-service → customer MySQL (not declared)', so('order-service'), so('customer-mysql'), 3306, false],
    ['customer-service → order-service (wrong direction)', so('customer-service'), so('order-service'), 8080, false],
    ['user-service → anything else', so('user-service'), so('customer-service'), 8080, false],
    ['ingress-nginx → a data store', ingressNginx, so('customer-mysql'), 3306, false],
    ['customer-service → the internet (no AWS access declared)', so('customer-service'), internet, 443, false],
    ['the internet → a service directly', internet, so('customer-service'), 8080, false],
    ['customer-service → its MySQL on another port', so('customer-service'), so('customer-mysql'), 33060, false],
    ['another namespace → a service', pod('other', 'intruder'), so('customer-service'), 8080, false],
  ];
  test.each(flows)('%s', (_name, from, to, port, expected) => {
    expect(allowed(policies, from, to, port)).toBe(expected);
  });

  test('one policy per component plus default-deny and DNS; none written by hand', () => {
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      'allow-dns', 'customer-mysql', 'customer-service', 'default-deny', 'order-mongodb', 'order-service',
      'product-redis', 'product-service', 'user-service',
    ]);
  });

  test('DNS is allowed over UDP too', () => {
    expect(allowed(policies, so('order-service'), kubeDns, 53, 'UDP')).toBe(true);
  });
});
