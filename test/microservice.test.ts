import { Any, find, objects, render } from './helpers';

describe('Microservice defaults (prod, customer-service)', () => {
  const files = render('prod');
  const deployment = find(files, 'Deployment', 'customer-service');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test('names are chosen, never hashed, and nothing selects on cdk8s metadata', () => {
    for (const o of objects(files)) {
      expect(o.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
      expect(JSON.stringify(o)).not.toContain('cdk8s.io/metadata.addr');
    }
    expect(find(files, 'ConfigMap', 'customer-service-config')).toBeDefined();
    expect(find(files, 'ServiceAccount', 'customer-service')).toBeDefined();
  });

  test('app.kubernetes.io labels on objects and pods; selectors use name and instance only', () => {
    expect(deployment.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'customer-service',
      'app.kubernetes.io/instance': 'customer-service',
      'app.kubernetes.io/component': 'backend',
      'app.kubernetes.io/part-of': 'sales-order',
      'app.kubernetes.io/managed-by': 'platform-manifests',
    });
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('2.0.4');
    const selector = { 'app.kubernetes.io/name': 'customer-service', 'app.kubernetes.io/instance': 'customer-service' };
    expect(deployment.spec.selector.matchLabels).toEqual(selector);
    expect(find(files, 'Service', 'customer-service').spec.selector).toEqual(selector);
    expect(find(files, 'PodDisruptionBudget', 'customer-service').spec.selector.matchLabels).toEqual(selector);
  });

  test('restricted pod security with a read-only root filesystem and a writable /tmp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
  });

  test('image pulled IfNotPresent, pinned tag', () => {
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.image).toBe('333333333333.dkr.ecr.eu-west-1.amazonaws.com/sales-order/customer-service:2.0.4');
  });

  test('HTTP probes; the startup probe gives a JVM well over 60 s before liveness counts', () => {
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/actuator/health/readiness', port: 'http' });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/actuator/health/liveness', port: 'http' });
    expect(container.startupProbe.httpGet).toBeDefined();
    expect(container.startupProbe.tcpSocket).toBeUndefined();
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(120);
  });

  test('requests and limits from the platform; environments override them', () => {
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '768Mi' }, limits: { memory: '768Mi' } });
    const dev = find(render('dev'), 'Deployment', 'customer-service').spec.template.spec.containers[0];
    expect(dev.resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '512Mi' } });
  });

  test('spread over zones and nodes without blocking scheduling', () => {
    expect(pod.topologySpreadConstraints.map((c: { topologyKey: string; whenUnsatisfiable: string }) => [c.topologyKey, c.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
      ['kubernetes.io/hostname', 'ScheduleAnyway'],
    ]);
  });

  test('with an HPA the Deployment has no replicas field; without one it does', () => {
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = find(files, 'HorizontalPodAutoscaler', 'customer-service');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'customer-service' } });
    const dev = render('dev');
    expect(find(dev, 'Deployment', 'customer-service').spec.replicas).toBe(1);
    expect(objects(dev).some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'customer-service')).toBe(false);
  });

  test('an environment sets one scaling shape: replicas beside autoscaling is refused, the old top-level replicas points to scaling', () => {
    expect(() => render('prod', (env) => { env.platforms = { 'sales-order': { services: { 'order-service': { scaling: { replicas: 5, autoscaling: { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70 } } } } } }; }))
      .toThrow(/environments\/prod\.ts is invalid:\n  - platforms\.sales-order\.services\.order-service\.scaling: set exactly one of replicas, autoscaling \(got replicas and autoscaling\)/);
    expect(() => render('prod', (env: Any) => { env.platforms = { 'sales-order': { services: { 'order-service': { replicas: 5 } } } }; }))
      .toThrow(/order-service: unknown key 'replicas' \(write scaling: \{ replicas: <n> \} instead of 'replicas'\)/);
  });

  test('a PodDisruptionBudget only when more than one replica can run', () => {
    expect(find(files, 'PodDisruptionBudget', 'customer-service').spec.maxUnavailable).toBe(1);
    expect(objects(render('dev')).some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'customer-service')).toBe(false);
  });

  test('config is injected from the ConfigMap; a change to it changes the pod-template checksum', () => {
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'customer-service-config' } }]);
    const before = deployment.spec.template.metadata.annotations['checksum/config'];
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    const changedFacts = find(render('prod', (env) => { env.secretPathPrefix = 'other/'; }), 'Deployment', 'customer-service');
    expect(changedFacts.spec.template.metadata.annotations['checksum/config']).toBe(before);
    const staging = find(render('staging'), 'Deployment', 'customer-service');
    expect(staging.spec.template.metadata.annotations['checksum/config']).toBe(before);
  });

  test('credentials come from an ExternalSecret, as env from the Secret it creates', () => {
    expect(container.env).toContainEqual({ name: 'SPRING_DATASOURCE_PASSWORD', valueFrom: { secretKeyRef: { name: 'customer-service-db', key: 'SPRING_DATASOURCE_PASSWORD' } } });
    const es = find(files, 'ExternalSecret', 'customer-service-db');
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
    expect(es.spec.data).toContainEqual({ secretKey: 'SPRING_DATASOURCE_PASSWORD', remoteRef: { key: 'prod/sales-order/customer-mysql', property: 'password' } });
  });

  test('one ServiceAccount per service, no token unless it calls AWS; a ClusterIP Service', () => {
    expect(find(files, 'ServiceAccount', 'customer-service').automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('customer-service');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(files, 'Service', 'customer-service').spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
  });

  test('user-service: exactly one replica, never autoscaled, recreated on update', () => {
    const user = find(files, 'Deployment', 'user-service');
    expect(user.spec.replicas).toBe(1);
    expect(user.spec.strategy).toEqual({ type: 'Recreate' });
    expect(objects(files).filter((o) => o.metadata.name === 'user-service').map((o) => o.kind)).not.toContain('HorizontalPodAutoscaler');
    expect(objects(files).filter((o) => o.metadata.name === 'user-service').map((o) => o.kind)).not.toContain('PodDisruptionBudget');
  });

  test('zero-downtime rolling updates for replicated services', () => {
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
  });
});
