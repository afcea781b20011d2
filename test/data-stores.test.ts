import { Any, find, objects, render } from './helpers';

describe('data stores (prod unless stated)', () => {
  const prod = render('prod');
  const dev = render('dev');
  const claim = (sts: Any) => sts.spec.volumeClaimTemplates[0].spec;

  test('MySQL is a singleton with a PVC from the environment, restricted and probed', () => {
    const mysql = find(prod, 'StatefulSet', 'customer-mysql');
    expect(mysql.spec.replicas).toBe(1);
    expect(claim(mysql)).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '20Gi' } } });
    expect(claim(find(dev, 'StatefulSet', 'customer-mysql')).resources.requests.storage).toBe('5Gi');
    const c = mysql.spec.template.spec.containers[0];
    expect(c.image).toBe('public.ecr.aws/docker/library/mysql:8.4.3');
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.readinessProbe.exec).toBeDefined();
    expect(c.livenessProbe.exec).toBeDefined();
    expect(c.startupProbe.exec).toBeDefined();
    expect(c.volumeMounts.map((m: Any) => m.mountPath)).toEqual(['/var/lib/mysql', '/tmp', '/var/run/mysqld']);
    expect(objects(prod).some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'customer-mysql')).toBe(false);
  });

  test('a singleton cannot be scaled by an environment', () => {
    expect(() => render('dev', (env: Any) => { env.platforms['sales-order'].dataStores['customer-mysql'].replicas = 2; }))
      .toThrow(/environment dev, data-store customer-mysql .*replicas cannot be overridden/);
  });

  test('MongoDB: three members over zones, a headless Service, and a replica set that initiates itself', () => {
    const mongo = find(prod, 'StatefulSet', 'order-mongodb');
    expect(mongo.spec.replicas).toBe(3);
    expect(mongo.spec.serviceName).toBe('order-mongodb-headless');
    expect(mongo.spec.podManagementPolicy).toBe('Parallel');
    expect(find(prod, 'Service', 'order-mongodb-headless').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    const zone = mongo.spec.template.spec.topologySpreadConstraints.find((c: Any) => c.topologyKey === 'topology.kubernetes.io/zone');
    expect(zone.whenUnsatisfiable).toBe('DoNotSchedule');
    const [server, init] = mongo.spec.template.spec.containers;
    expect(server.args[0]).toContain('mongod --replSet rs0 --bind_ip_all --keyFile /etc/mongodb-keyfile/keyfile');
    expect(server.args[0]).toContain('unset MONGO_INITDB_ROOT_USERNAME');
    expect(init.name).toBe('replica-set-init');
    const script = init.command[2];
    for (let i = 0; i < 3; i++) expect(script).toContain(`order-mongodb-${i}.order-mongodb-headless.sales-order.svc.cluster.local:27017`);
    expect(script).toContain('NotYetInitialized');
    expect(mongo.spec.template.spec.initContainers[0].command[2]).toContain('chmod 0400');
    expect(find(prod, 'PodDisruptionBudget', 'order-mongodb').spec.maxUnavailable).toBe(1);
    expect(find(prod, 'ConfigMap', 'order-service-config').data.MONGODB_HOSTS.split(',')).toHaveLength(3);
  });

  test('Redis: three members, each with a Sentinel; clients find the primary through the Sentinels', () => {
    const redis = find(prod, 'StatefulSet', 'product-redis');
    expect(redis.spec.replicas).toBe(3);
    expect(redis.spec.template.spec.containers.map((c: Any) => c.name)).toEqual(['cache', 'sentinel', 'exporter']);
    expect(find(prod, 'Service', 'product-redis').spec.ports.map((p: Any) => p.port)).toEqual([6379, 26379]);
    const config = find(prod, 'ConfigMap', 'product-service-config').data;
    expect(config.SPRING_DATA_REDIS_SENTINEL_MASTER).toBe('mymaster');
    expect(config.SPRING_DATA_REDIS_SENTINEL_NODES.split(',')).toEqual([0, 1, 2].map((i) => `product-redis-${i}.product-redis-headless.sales-order.svc.cluster.local:26379`));
  });

  test('credentials reach data stores from ExternalSecrets, never as Secret data', () => {
    expect(find(prod, 'ExternalSecret', 'order-mongodb-keyfile').spec.data).toEqual([
      { secretKey: 'keyfile', remoteRef: { key: 'prod/sales-order/order-mongodb', property: 'keyfile' } },
    ]);
    expect(objects(prod).filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});
