import type { MicroserviceProps } from '../lib/microservice';
import { Any, buildMicroservice, find, objects, render } from './helpers';

const microservice = (props: Partial<MicroserviceProps>) => buildMicroservice(props);
const of = (list: Any[], kind: string) => list.find((o) => o.kind === kind);

describe('Microservice options', () => {
  test('a config change changes the pod-template checksum, so the pods roll', () => {
    const a = of(microservice({ config: { LOG_LEVEL: 'info' } }), 'Deployment').spec.template.metadata.annotations['checksum/config'];
    const b = of(microservice({ config: { LOG_LEVEL: 'debug' } }), 'Deployment').spec.template.metadata.annotations['checksum/config'];
    const a2 = of(microservice({ config: { LOG_LEVEL: 'info' } }), 'Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(a).not.toBe(b);
    expect(a).toBe(a2);
  });

  test('IRSA: an AWS role annotates the ServiceAccount and mounts a token; without one there is none', () => {
    const withRole = microservice({ awsRole: 'resource-hub-api' });
    expect(of(withRole, 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::333333333333:role/prod-resource-hub-api' });
    expect(of(withRole, 'ServiceAccount').automountServiceAccountToken).toBe(true);
    expect(of(withRole, 'Deployment').spec.template.spec.automountServiceAccountToken).toBe(true);
    const without = microservice({});
    expect(of(without, 'ServiceAccount').metadata.annotations).toBeUndefined();
    expect(of(without, 'Deployment').spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('an unknown AWS role is an error naming environment, service and field', () => {
    expect(() => microservice({ awsRole: 'nope' })).toThrow(/environment prod, service demo-api \(platform demo\): awsRole 'nope' is not in the cluster facts/);
  });

  test('each secret chooses its store and refresh interval; SSM parameters are addressed by path', () => {
    const list = microservice({
      secrets: [
        { secretName: 'demo-db', remoteKey: 'demo/db', env: { DB_PASSWORD: 'password' } },
        { secretName: 'demo-flags', remoteKey: 'demo/flags', store: 'aws-parameter-store', refreshInterval: '5m', env: { FLAG_TOKEN: 'token' } },
      ],
    });
    const [db, flags] = list.filter((o) => o.kind === 'ExternalSecret');
    expect(db.spec).toMatchObject({ refreshInterval: '1h', secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' } });
    expect(flags.spec).toMatchObject({ refreshInterval: '5m', secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-parameter-store' } });
    expect(flags.spec.data).toEqual([{ secretKey: 'FLAG_TOKEN', remoteRef: { key: '/prod/demo/flags/token' } }]);
  });

  test('metrics: a ServiceMonitor scrapes the named port', () => {
    const list = microservice({ metrics: { port: 9090, path: '/prom' } });
    expect(of(list, 'Deployment').spec.template.spec.containers[0].ports).toContainEqual({ name: 'metrics', containerPort: 9090, protocol: 'TCP' });
    expect(of(list, 'Service').spec.ports).toContainEqual({ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' });
    expect(of(list, 'ServiceMonitor').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'demo-api', 'app.kubernetes.io/instance': 'demo-api' } },
      endpoints: [{ port: 'metrics', path: '/prom', interval: '30s', scheme: 'http' }],
    });
  });

  test('bad props are rejected with what to change', () => {
    expect(() => microservice({ scaling: { replicas: 0 } })).toThrow(/environment prod, service demo-api .*charts\/demo\/demo\.ts: invalid props:\n  - scaling\.replicas: must be ≥ 1 \(got 0\)/);
    expect(() => microservice({ extraPorts: [{ name: 'a-very-long-port-name', port: 9000 }] })).toThrow(/extraPorts\.0\.name: must be a port name: at most 15/);
    expect(() => microservice({ scaling: { fixed: 1, autoscaling: { minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } } as never })).toThrow(/scaling: set exactly one of fixed, replicas, autoscaling \(got fixed and autoscaling\)/);
    expect(() => microservice({ image: { repository: 'example.com/demo-api:1.0' } })).toThrow(/image\.repository: must be an image repository without tag or digest/);
  });
});

describe('platform namespace, secret stores and alerts', () => {
  const files = render('prod');

  test('the namespace enforces the restricted Pod Security Standard and carries a quota from the environment', () => {
    const ns = find(files, 'Namespace', 'sales-order');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(find(files, 'ResourceQuota', 'sales-order').spec.hard).toMatchObject({ 'requests.cpu': '32', 'limits.memory': '128Gi', pods: 200 });
    expect(find(files, 'LimitRange', 'sales-order').spec.limits[0].type).toBe('Container');
  });

  test('ClusterSecretStores for Secrets Manager and Parameter Store authenticate with IRSA in the cluster region', () => {
    for (const [name, service] of [['aws-secrets-manager', 'SecretsManager'], ['aws-parameter-store', 'ParameterStore']]) {
      const store = find(files, 'ClusterSecretStore', name);
      expect(store.spec.provider.aws).toEqual({
        service,
        region: 'eu-west-1',
        auth: { jwt: { serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } },
      });
    }
  });

  test('a PrometheusRule per platform alerts on crash loops, unavailable replicas, a maxed-out HPA, services down and blind scrapes', () => {
    const rule = find(files, 'PrometheusRule', 'sales-order');
    const alerts = rule.spec.groups[0].rules.map((r: Any) => r.alert);
    expect(alerts).toEqual(['PodCrashLooping', 'DeploymentReplicasUnavailable', 'StatefulSetReplicasNotReady', 'HpaMaxedOut', 'ServiceDown', 'MetricsTargetDown']);
    expect(rule.spec.groups.map((g: Any) => g.name)).toEqual(['sales-order.workloads', 'sales-order.error-budgets', 'sales-order.data-stores', 'sales-order.backups']);
    for (const r of rule.spec.groups.flatMap((g: Any) => g.rules)) expect(r.expr).toContain('namespace="sales-order"');
  });

  test('no pod of sales-order mounts a service-account token (none declares AWS access)', () => {
    const pods = objects(files).filter((o) => o.metadata.namespace === 'sales-order' && (o.kind === 'Deployment' || o.kind === 'StatefulSet'));
    expect(pods.length).toBeGreaterThan(0);
    for (const w of pods) expect(w.spec.template.spec.automountServiceAccountToken).toBe(false);
  });
});
