import { Endpoint, allowed } from './support/network-policy-evaluator';
import { Any, find, objects, render } from './helpers';

const pod = (name: string): Endpoint => ({ namespace: 'resource-hub', labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name } });
const internet: Endpoint = { ip: '52.94.0.10' };
const prometheus: Endpoint = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };

describe('tracing', () => {
  const prod = render('prod');

  test('resource-hub gets an OpenTelemetry Collector with the X-Ray role of the cluster facts; platforms without traces get none', () => {
    const files = prod.filter((f) => f.path.endsWith('/tracing.yaml')).map((f) => f.path);
    expect(files).toEqual(['prod/resource-hub/tracing.yaml']);
    const collector = find(prod, 'Deployment', 'otel-collector', 'resource-hub');
    expect(collector.spec.replicas).toBe(2);
    const c = collector.spec.template.spec.containers[0];
    expect(c.image).toBe('docker.io/otel/opentelemetry-collector-contrib:0.120.0');
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(c.readinessProbe.httpGet.port).toBe('health');
    expect(find(prod, 'ServiceAccount', 'otel-collector').metadata.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::333333333333:role/prod-otel-collector');
    const config = find(prod, 'ConfigMap', 'otel-collector-config').data['collector.yaml'];
    expect(config).toContain('awsxray:');
    expect(config).toContain('region: eu-west-1');
    expect(find(prod, 'PodDisruptionBudget', 'otel-collector').spec.maxUnavailable).toBe(1);
    expect(find(prod, 'ServiceMonitor', 'otel-collector').spec.endpoints[0].port).toBe('metrics');
  });

  test('a service that emits traces gets the OTLP endpoint through its configuration', () => {
    const config = find(prod, 'ConfigMap', 'api-config').data;
    expect(config).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.resource-hub.svc:4318',
      OTEL_SERVICE_NAME: 'api',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,service.namespace=resource-hub',
    });
    // Only services that declare traces get them.
    expect(objects(prod).filter((o: Any) => o.kind === 'ConfigMap' && o.data?.OTEL_SERVICE_NAME).map((o: Any) => o.metadata.name)).toEqual(['api-config']);
  });

  test('network: service → collector on OTLP, collector → AWS over HTTPS, Prometheus → its metrics; nothing else', () => {
    const policies = objects(prod).filter((o: Any) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'resource-hub');
    expect(allowed(policies, pod('api'), pod('otel-collector'), 4318)).toBe(true);
    expect(allowed(policies, pod('api'), pod('otel-collector'), 4317)).toBe(true);
    expect(allowed(policies, pod('gateway'), pod('otel-collector'), 4318)).toBe(false);
    expect(allowed(policies, pod('otel-collector'), internet, 443)).toBe(true);
    expect(allowed(policies, pod('otel-collector'), pod('api'), 8080)).toBe(false);
    expect(allowed(policies, prometheus, pod('otel-collector'), 8888)).toBe(true);
    expect(allowed(policies, { namespace: 'sales-order', labels: { 'app.kubernetes.io/name': 'order-service' } }, pod('otel-collector'), 4318)).toBe(false);
  });

  test('the collector is alerted on and on the dashboard', () => {
    const rule = find(prod, 'PrometheusRule', 'resource-hub').spec.groups.find((g: Any) => g.name === 'resource-hub.tracing');
    expect(rule.rules.map((r: Any) => r.alert)).toEqual(['TracesExportFailing']);
    const dashboard = JSON.parse(find(prod, 'ConfigMap', 'resource-hub-dashboard').data['resource-hub.json']);
    expect(JSON.stringify(dashboard)).toContain('otel-collector');
  });
});
