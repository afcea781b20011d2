import { Endpoint, allowed } from './support/network-policy-evaluator';
import { Any, find, objects, render } from './helpers';

const pod = (namespace: string, name: string): Endpoint => ({
  namespace,
  labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name },
});
const prometheus: Endpoint = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const grafana: Endpoint = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } };

describe('data-store exporters', () => {
  const prod = render('prod');
  const staging = render('staging');
  const stores: [string, string, string, string, number][] = [
    ['prod', 'sales-order', 'customer-mysql', 'quay.io/prometheus/mysqld-exporter:v0.17.2', 9104],
    ['prod', 'sales-order', 'order-mongodb', 'docker.io/percona/mongodb_exporter:0.47.2', 9216],
    ['prod', 'sales-order', 'product-redis', 'docker.io/oliver006/redis_exporter:v1.67.0', 9121],
    ['staging', 'resource-hub', 'resource-hub-postgres', 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1', 9187],
  ];

  test.each(stores)('%s %s/%s: a pinned exporter beside every member, scraped through a headless metrics Service', (env, ns, name, image, port) => {
    const files = env === 'prod' ? prod : staging;
    const sts = find(files, 'StatefulSet', name, ns);
    const exporter = sts.spec.template.spec.containers.find((c: Any) => c.name === 'exporter');
    expect(exporter.image).toBe(image);
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: port, protocol: 'TCP' }]);
    expect(exporter.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(exporter.resources.limits.memory).toBeDefined();
    expect(exporter.readinessProbe.tcpSocket.port).toBe('metrics');

    const service = find(files, 'Service', `${name}-metrics`, ns);
    expect(service.spec).toMatchObject({ clusterIP: 'None', selector: sts.spec.selector.matchLabels, ports: [{ name: 'metrics', port, targetPort: 'metrics' }] });
    const monitor = find(files, 'ServiceMonitor', `${name}-metrics`, ns);
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    // The ServiceMonitor selects the metrics Service only, not the client Services that carry the same labels.
    const selected = objects(files).filter((o) => o.kind === 'Service' && o.metadata.namespace === ns
      && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected.map((o) => o.metadata.name)).toEqual([`${name}-metrics`]);

    const policies = objects(files).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns);
    expect(allowed(policies, prometheus, pod(ns, name), port)).toBe(true);
    expect(allowed(policies, grafana, pod(ns, name), port)).toBe(false);
    expect(allowed(policies, pod('other', 'intruder'), pod(ns, name), port)).toBe(false);
    const client = ns === 'sales-order' ? name.replace(/-(mysql|mongodb|redis)$/, '-service') : 'api';
    expect(allowed(policies, pod(ns, client), pod(ns, name), port)).toBe(false);
  });

  test('an exporter holds only the credentials it refers to', () => {
    const sts = find(prod, 'StatefulSet', 'customer-mysql');
    const exporter = sts.spec.template.spec.containers.find((c: Any) => c.name === 'exporter');
    expect(exporter.env.map((e: Any) => e.name)).toEqual(['MYSQL_ROOT_PASSWORD', 'MYSQLD_EXPORTER_PASSWORD']);
    expect(exporter.env[1].value).toBe('$(MYSQL_ROOT_PASSWORD)');
    const mongo = find(prod, 'StatefulSet', 'order-mongodb').spec.template.spec.containers.find((c: Any) => c.name === 'exporter');
    expect(mongo.args).toContain('--collector.replicasetstatus');
    expect(mongo.env.map((e: Any) => e.name)).toEqual(['MONGO_INITDB_ROOT_PASSWORD', 'MONGO_INITDB_ROOT_USERNAME', 'MONGODB_PASSWORD', 'MONGODB_USER']);
    // A variable the exporter reads under the store's own name is passed through once, never defined twice.
    const redis = find(prod, 'StatefulSet', 'product-redis').spec.template.spec.containers.find((c: Any) => c.name === 'exporter');
    expect(redis.env.map((e: Any) => e.name)).toEqual(['REDIS_PASSWORD', 'REDIS_ADDR']);
    expect(redis.env[0].valueFrom.secretKeyRef).toEqual({ name: 'product-redis-credentials', key: 'REDIS_PASSWORD' });
  });
});
