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
      'allow-dns', 'customer-mysql', 'customer-mysql-backup', 'customer-mysql-restore', 'customer-service', 'default-deny',
      'order-mongodb', 'order-mongodb-backup', 'order-mongodb-restore', 'order-service',
      'product-redis', 'product-redis-backup', 'product-redis-restore', 'product-service', 'user-service',
    ]);
  });

  test('DNS is allowed over UDP too', () => {
    expect(allowed(policies, so('order-service'), kubeDns, 53, 'UDP')).toBe(true);
  });
});

describe('network policies of the other platforms', () => {
  // Addresses inside each environment's VPC (cluster facts: dev 10.10.0.0/16, prod 10.30.0.0/16).
  const VPC_HOST = { ip: '10.30.12.7' };
  const vpcHost = (env: string) => ({ ip: env === 'dev' ? '10.10.12.7' : '10.30.12.7' });
  const flows = (env: string) => {
    const all = objects(render(env));
    const policies = all.filter((o) => o.kind === 'NetworkPolicy');
    const port = (ns: string, workload: string, name = 'http'): number => {
      const w = all.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.namespace === ns && o.metadata.name === workload);
      return w.spec.template.spec.containers[0].ports.find((p: { name: string }) => p.name === name).containerPort;
    };
    return { policies, port };
  };

  test('port-assignment: backend reaches the engine, never the other way; both ALBs reach their targets from the VPC only', () => {
    const { policies, port } = flows('prod');
    const pa = (n: string) => pod('port-assignment', n);
    expect(allowed(policies, pa('backend'), pa('assignment-engine'), port('port-assignment', 'assignment-engine'))).toBe(true);
    expect(allowed(policies, pa('assignment-engine'), pa('backend'), port('port-assignment', 'backend'))).toBe(false);
    expect(allowed(policies, VPC_HOST, pa('backend'), port('port-assignment', 'backend'))).toBe(true);
    expect(allowed(policies, VPC_HOST, pa('assignment-engine'), port('port-assignment', 'assignment-engine'))).toBe(true);
    expect(allowed(policies, internet, pa('assignment-engine'), port('port-assignment', 'assignment-engine'))).toBe(false);
    expect(allowed(policies, pa('backend'), internet, 443)).toBe(false);
  });

  test('resource-hub: gateway → api on http only; api → its database and AWS APIs; nothing else', () => {
    for (const env of ['dev', 'prod']) {
      const { policies, port } = flows(env);
      const rh = (n: string) => pod('resource-hub', n);
      expect(allowed(policies, rh('gateway'), rh('api'), port('resource-hub', 'api'))).toBe(true);
      expect(allowed(policies, rh('gateway'), rh('api'), 9090)).toBe(false);
      expect(allowed(policies, prometheus, rh('api'), 9090)).toBe(true);
      expect(allowed(policies, rh('api'), internet, 443)).toBe(true);
      expect(allowed(policies, rh('gateway'), internet, 443)).toBe(false);
      expect(allowed(policies, vpcHost(env), rh('gateway'), port('resource-hub', 'gateway'))).toBe(true);
      expect(allowed(policies, vpcHost(env), rh('api'), port('resource-hub', 'api'))).toBe(false);
      // dev self-hosts PostgreSQL in the namespace; prod reaches RDS inside the VPC.
      const database = env === 'dev' ? rh('resource-hub-postgres') : { ip: '10.30.200.15' };
      expect(allowed(policies, rh('api'), database, 5432)).toBe(true);
      expect(allowed(policies, rh('gateway'), database, 5432)).toBe(false);
    }
  });

  test('toytrex: web → middleware → MariaDB on RDS; web never reaches the database', () => {
    const { policies, port } = flows('prod');
    const tt = (n: string) => pod('toytrex', n);
    const rds = { ip: '10.30.200.20' };
    expect(allowed(policies, tt('web'), tt('middleware'), port('toytrex', 'middleware'))).toBe(true);
    expect(allowed(policies, tt('middleware'), tt('web'), port('toytrex', 'web'))).toBe(false);
    expect(allowed(policies, tt('middleware'), rds, 3306)).toBe(true);
    expect(allowed(policies, tt('web'), rds, 3306)).toBe(false);
    expect(allowed(policies, tt('middleware'), rds, 5432)).toBe(false);
    expect(allowed(policies, VPC_HOST, tt('web'), port('toytrex', 'web'))).toBe(true);
    expect(allowed(policies, VPC_HOST, tt('middleware'), port('toytrex', 'middleware'))).toBe(false);
  });

  test('storefront: the NLB reaches both listener ports from the VPC; the pod calls nothing', () => {
    const { policies, port } = flows('prod');
    const web = pod('storefront', 'web');
    expect(allowed(policies, VPC_HOST, web, port('storefront', 'web'))).toBe(true);
    expect(allowed(policies, VPC_HOST, web, port('storefront', 'web', 'api'))).toBe(true);
    expect(allowed(policies, web, internet, 443)).toBe(false);
    expect(allowed(policies, web, pod('sales-order', 'customer-service'), 8080)).toBe(false);
  });
});
