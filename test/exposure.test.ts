import { App } from 'cdk8s';
import { DNS_ZONE_LABEL } from '../lib/exposure';
import { AWS_TLS_POLICY } from '../lib/ingress';
import { Microservice, MicroserviceProps } from '../lib/microservice';
import { PlatformChart } from '../lib/platform-chart';
import { PlatformContext } from '../lib/platform-context';
import { Any, buildMicroservice, find, loadCommitted, objects, render } from './helpers';

const PROD_PUBLIC_CERT = 'arn:aws:acm:eu-west-1:333333333333:certificate/2c3d4e5f-3333-4a5b-8c1d-2e3f4a5b6c7d';
const PROD_PRIVATE_CERT = 'arn:aws:acm:eu-west-1:333333333333:certificate/5f6a7b8c-6666-4d7e-9f4a-5b6c7d8e9f0a';
const DOMAINS: Record<string, { public: string; private: string }> = {
  dev: { public: 'dev.example.com', private: 'dev.internal.example.com' },
  staging: { public: 'staging.example.com', private: 'staging.internal.example.com' },
  prod: { public: 'example.com', private: 'internal.example.com' },
};

const prod = render('prod');
const inNs = (files: Any, kind: string, name: string, namespace: string) => find(files, kind, name, namespace);
const annotations = (o: Any): Record<string, string> => o.metadata.annotations ?? {};

/** Every object that makes external-dns write a record. */
const exposed = (list: Any[]) =>
  list.filter((o) => o.kind === 'Ingress' || (o.kind === 'Service' && o.spec.type === 'LoadBalancer'));

describe('storefront: a Network Load Balancer on 80, 443 (TLS) and 5000', () => {
  const service = inNs(prod, 'Service', 'web', 'storefront');

  test('a LoadBalancer Service owned by the AWS Load Balancer Controller, IP targets, internet-facing', () => {
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.loadBalancerClass).toBe('service.k8s.aws/nlb');
    expect(annotations(service)).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
    });
  });

  test('80 plain HTTP and 443 to the http port, 5000 to the api container port', () => {
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 'http', protocol: 'TCP' },
      { name: 'api', port: 5000, targetPort: 'api', protocol: 'TCP' },
    ]);
    const container = inNs(prod, 'Deployment', 'web', 'storefront').spec.template.spec.containers[0];
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'api', containerPort: 5000, protocol: 'TCP' },
    ]);
  });

  test('TLS only on 443, with the ACM certificate and the modern policy', () => {
    expect(annotations(service)).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': PROD_PUBLIC_CERT,
      'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': 'https',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': AWS_TLS_POLICY,
    });
  });

  test('health-checked over HTTP on the readiness path, not a bare TCP connect', () => {
    expect(annotations(service)).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/health/ready',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '8080',
    });
  });

  test('a Route 53 record in the public zone through external-dns', () => {
    expect(annotations(service)['external-dns.alpha.kubernetes.io/hostname']).toBe('shop.example.com');
    expect(service.metadata.labels[DNS_ZONE_LABEL]).toBe('public');
  });

  test('two replicas in prod, zero-downtime rolling updates, a PDB, no HPA; one replica in dev', () => {
    const deployment = inNs(prod, 'Deployment', 'web', 'storefront');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(inNs(prod, 'PodDisruptionBudget', 'web', 'storefront').spec.maxUnavailable).toBe(1);
    expect(objects(prod).some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.namespace === 'storefront')).toBe(false);
    expect(inNs(render('dev'), 'Deployment', 'web', 'storefront').spec.replicas).toBe(1);
  });

  test('the load balancer reaches the pods on 8080 and 5000 from inside the VPC', () => {
    const policy = inNs(prod, 'NetworkPolicy', 'web', 'storefront');
    expect(policy.spec.ingress).toContainEqual({
      from: [{ ipBlock: { cidr: '10.30.0.0/16' } }],
      ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 5000 }],
    });
  });
});

describe('port-assignment: ALBs with ACM, public and private hostnames, an internal engine', () => {
  const publicIngress = inNs(prod, 'Ingress', 'backend-public', 'port-assignment');
  const privateIngress = inNs(prod, 'Ingress', 'backend-private', 'port-assignment');

  test('the public hostname joins the internet-facing ALB, the private one the internal ALB', () => {
    expect(annotations(publicIngress)).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/group.name': 'prod-internet-facing',
      'external-dns.alpha.kubernetes.io/hostname': 'ports.example.com',
    });
    expect(annotations(privateIngress)).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/group.name': 'prod-internal',
      'external-dns.alpha.kubernetes.io/hostname': 'ports.internal.example.com',
    });
    expect(publicIngress.metadata.labels[DNS_ZONE_LABEL]).toBe('public');
    expect(privateIngress.metadata.labels[DNS_ZONE_LABEL]).toBe('private');
    expect(publicIngress.spec.rules.map((r: Any) => r.host)).toEqual(['ports.example.com']);
    expect(privateIngress.spec.rules.map((r: Any) => r.host)).toEqual(['ports.internal.example.com']);
  });

  test('HTTPS on 443 with the zone\'s ACM certificate, HTTP redirected, modern TLS policy', () => {
    for (const [ingress, cert] of [[publicIngress, PROD_PUBLIC_CERT], [privateIngress, PROD_PRIVATE_CERT]]) {
      expect(annotations(ingress)).toMatchObject({
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
        'alb.ingress.kubernetes.io/certificate-arn': cert,
        'alb.ingress.kubernetes.io/ssl-policy': AWS_TLS_POLICY,
      });
    }
  });

  test('IP targets, health-checked on the readiness probe\'s path', () => {
    const readiness = inNs(prod, 'Deployment', 'backend', 'port-assignment').spec.template.spec.containers[0].readinessProbe.httpGet.path;
    expect(annotations(publicIngress)).toMatchObject({
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/healthcheck-path': readiness,
    });
    expect(inNs(prod, 'Service', 'backend', 'port-assignment').spec.type).toBe('ClusterIP');
  });

  test('HPA, probes and a non-root user for the backend', () => {
    expect(inNs(prod, 'HorizontalPodAutoscaler', 'backend', 'port-assignment').spec).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    const pod = inNs(prod, 'Deployment', 'backend', 'port-assignment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(pod.containers[0].livenessProbe.httpGet.path).toBe('/healthz/live');
  });

  test('the engine is never internet-facing: one internal Ingress, a private record only', () => {
    const engine = exposed(objects(prod)).filter((o) => o.metadata.namespace === 'port-assignment' && o.metadata.name.startsWith('assignment-engine'));
    expect(engine).toHaveLength(1);
    expect(annotations(engine[0])).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'external-dns.alpha.kubernetes.io/hostname': 'assignments.internal.example.com',
    });
    expect(engine[0].metadata.labels[DNS_ZONE_LABEL]).toBe('private');
  });

  test('the backend may call the engine; nothing else in the namespace may', () => {
    const policy = inNs(prod, 'NetworkPolicy', 'assignment-engine', 'port-assignment');
    const fromPods = policy.spec.ingress.filter((r: Any) => r.from[0].podSelector && !r.from[0].namespaceSelector);
    expect(fromPods).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend' } } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 9090 }] }]);
  });
});

describe('toytrex: NodePort behind an ALB with instance targets', () => {
  test('web is a NodePort Service; the ALB targets instances on its node port and terminates TLS', () => {
    expect(inNs(prod, 'Service', 'web', 'toytrex').spec.type).toBe('NodePort');
    const ingress = inNs(prod, 'Ingress', 'web', 'toytrex');
    expect(annotations(ingress)).toMatchObject({
      'alb.ingress.kubernetes.io/target-type': 'instance',
      'alb.ingress.kubernetes.io/healthcheck-port': 'traffic-port',
      'alb.ingress.kubernetes.io/healthcheck-path': '/health/ready',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/certificate-arn': PROD_PUBLIC_CERT,
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
      'external-dns.alpha.kubernetes.io/hostname': 'toytrex.example.com',
    });
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'web', port: { name: 'http' } } });
  });

  test('middleware is ClusterIP; MariaDB is an ExternalName Service to the RDS endpoint in every environment', () => {
    expect(inNs(prod, 'Service', 'middleware', 'toytrex').spec.type).toBe('ClusterIP');
    for (const [env, host] of [['dev', 'toytrex-dev.c9akciq32dev'], ['staging', 'toytrex-staging.c9akciq32stg'], ['prod', 'toytrex-prod.c9akciq32prd']]) {
      const files = env === 'prod' ? prod : render(env);
      const db = inNs(files, 'Service', 'toytrex-mariadb', 'toytrex');
      expect(db.spec).toEqual({ type: 'ExternalName', externalName: `${host}.eu-west-1.rds.amazonaws.com`, ports: [{ name: 'mariadb', port: 3306, protocol: 'TCP' }] });
    }
  });

  test('three replicas per tier with an HPA each; probes on every tier', () => {
    for (const name of ['web', 'middleware']) {
      expect(inNs(prod, 'HorizontalPodAutoscaler', name, 'toytrex').spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
      const container = inNs(prod, 'Deployment', name, 'toytrex').spec.template.spec.containers[0];
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    }
  });
});

describe('resource-hub: Nginx gateway behind an ALB, PostgreSQL self-hosted or on RDS', () => {
  test('the gateway is the ALB\'s target with the ACM certificate', () => {
    const ingress = inNs(prod, 'Ingress', 'gateway', 'resource-hub');
    expect(annotations(ingress)).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/certificate-arn': PROD_PUBLIC_CERT,
      'alb.ingress.kubernetes.io/healthcheck-path': '/healthz/ready',
      'external-dns.alpha.kubernetes.io/hostname': 'resources.example.com',
    });
  });

  test('nginx-unprivileged, pinned, on 8080, configured from a ConfigMap, proxying to the api Service', () => {
    const pod = inNs(prod, 'Deployment', 'gateway', 'resource-hub').spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toMatch(/^public\.ecr\.aws\/nginx\/nginx-unprivileged:\d+\.\d+\.\d+/);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.securityContext).toMatchObject({ runAsUser: 101, readOnlyRootFilesystem: true });
    expect(container.args).toEqual(['-c', '/etc/nginx/gateway/nginx.conf', '-g', 'daemon off;']);
    expect(container.volumeMounts.map((m: Any) => m.mountPath)).toEqual(expect.arrayContaining(['/tmp', '/var/cache/nginx', '/etc/nginx/gateway']));
    const conf: string = inNs(prod, 'ConfigMap', 'gateway-files', 'resource-hub').data['nginx.conf'];
    expect(conf).toContain('proxy_pass http://api;');
    expect(conf).toContain('listen 8080;');
    expect(conf).toContain('pid /tmp/nginx.pid;');
  });

  test('HPA on CPU and memory for api and gateway', () => {
    for (const name of ['api', 'gateway']) {
      const metrics = inNs(prod, 'HorizontalPodAutoscaler', name, 'resource-hub').spec.metrics.map((m: Any) => m.resource.name);
      expect(metrics).toEqual(['cpu', 'memory']);
    }
  });

  test('the api assumes its IAM role (IRSA) and reads credentials from Secrets Manager', () => {
    expect(annotations(inNs(prod, 'ServiceAccount', 'api', 'resource-hub'))).toMatchObject({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::333333333333:role/prod-resource-hub-api' });
    const secret = inNs(prod, 'ExternalSecret', 'api-db', 'resource-hub');
    expect(secret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
    expect(secret.spec.data).toContainEqual({ secretKey: 'DATABASE_PASSWORD', remoteRef: { key: 'prod/resource-hub/postgres', property: 'password' } });
  });

  test('prod uses RDS through an ExternalName Service (the api connects to the endpoint it verifies); dev and staging a StatefulSet', () => {
    expect(inNs(prod, 'Service', 'resource-hub-postgres', 'resource-hub').spec).toMatchObject({
      type: 'ExternalName', externalName: 'resource-hub-prod.c9akciq32prd.eu-west-1.rds.amazonaws.com',
    });
    expect(objects(prod).some((o) => o.kind === 'StatefulSet' && o.metadata.namespace === 'resource-hub')).toBe(false);
    for (const env of ['dev', 'staging']) {
      const files = render(env);
      expect(inNs(files, 'StatefulSet', 'resource-hub-postgres', 'resource-hub').spec.replicas).toBe(1);
      expect(inNs(files, 'Service', 'resource-hub-postgres', 'resource-hub').spec.type).toBe('ClusterIP');
      expect(inNs(files, 'ConfigMap', 'api-config', 'resource-hub').data).toMatchObject({ DATABASE_HOST: 'resource-hub-postgres', DATABASE_PORT: '5432' });
    }
    expect(inNs(prod, 'ConfigMap', 'api-config', 'resource-hub').data).toMatchObject({ DATABASE_HOST: 'resource-hub-prod.c9akciq32prd.eu-west-1.rds.amazonaws.com', DATABASE_PORT: '5432' });
  });

  test('environments set configuration keys: dev logs at debug', () => {
    expect(inNs(render('dev'), 'ConfigMap', 'api-config', 'resource-hub').data.LOG_LEVEL).toBe('debug');
    expect(inNs(prod, 'ConfigMap', 'api-config', 'resource-hub').data.LOG_LEVEL).toBe('info');
  });
});

describe.each(['dev', 'staging', 'prod'])('DNS and load balancers in %s', (env) => {
  const files = env === 'prod' ? prod : render(env);
  const list = exposed(objects(files));
  const domains = DOMAINS[env];
  const zoneOf = (host: string) => (host.endsWith(`.${domains.private}`) ? 'private' : host.endsWith(`.${domains.public}`) ? 'public' : 'outside');

  test('every Ingress and LoadBalancer Service carries an external-dns hostname inside the environment\'s domains', () => {
    expect(list.length).toBeGreaterThanOrEqual(8);
    for (const o of list) {
      const hosts = (annotations(o)['external-dns.alpha.kubernetes.io/hostname'] ?? '').split(',').filter(Boolean);
      expect(hosts.length).toBeGreaterThan(0);
      for (const host of hosts) expect([o.metadata.name, zoneOf(host)]).toEqual([o.metadata.name, o.metadata.labels[DNS_ZONE_LABEL]]);
    }
  });

  test('one shared ALB per environment and scheme: the group name follows the scheme', () => {
    const albs = list.filter((o) => o.spec.ingressClassName === 'alb');
    for (const o of albs) {
      const scheme = annotations(o)['alb.ingress.kubernetes.io/scheme'];
      expect(annotations(o)['alb.ingress.kubernetes.io/group.name']).toBe(`${env}-${scheme}`);
      expect(scheme).toBe(o.metadata.labels[DNS_ZONE_LABEL] === 'public' ? 'internet-facing' : 'internal');
    }
    expect(new Set(albs.map((o) => annotations(o)['alb.ingress.kubernetes.io/group.name']))).toEqual(new Set([`${env}-internet-facing`, `${env}-internal`]));
  });

  test('no internal service (port-assignment engine) has a public record', () => {
    const engine = list.filter((o) => o.metadata.name.startsWith('assignment-engine'));
    expect(engine.map((o) => o.metadata.labels[DNS_ZONE_LABEL])).toEqual(['private']);
  });
});

describe('bad exposure input names environment, service and field', () => {
  const service = (platform: string, name: string, override: Any) => (e: Any) => {
    e.platforms[platform] = { ...(e.platforms[platform] ?? {}), services: { ...(e.platforms[platform]?.services ?? {}), [name]: { ...(e.platforms[platform]?.services?.[name] ?? {}), ...override } } };
  };

  test('a hostname outside the environment\'s domains', () => {
    expect(() => render('staging', service('toytrex', 'web', { hostnames: ['toytrex.example.org'] }))).toThrow(
      /environment staging, service web \(platform toytrex\): environments\/staging\.ts: hostnames: 'toytrex\.example\.org' is outside the environment's domains \(staging\.example\.com, staging\.internal\.example\.com\)/,
    );
    // The prod domain is not the staging domain.
    expect(() => render('staging', service('toytrex', 'web', { hostnames: ['toytrex.example.com'] }))).toThrow(/environment staging, service web .*hostnames: 'toytrex\.example\.com' is outside/);
  });

  test('an ALB without a certificate in prod; dev (TLS not required) falls back to HTTP only', () => {
    expect(() => render('prod', service('toytrex', 'web', { hostnames: ['shop.eu.example.com'] }))).toThrow(
      /environment prod, service web \(platform toytrex\): exposure: no ACM certificate in the cluster facts covers shop\.eu\.example\.com; environment prod requires TLS/,
    );
    const dev = render('dev', service('toytrex', 'web', { hostnames: ['shop.eu.dev.example.com'] }));
    const ingress = inNs(dev, 'Ingress', 'web', 'toytrex');
    expect(annotations(ingress)['alb.ingress.kubernetes.io/listen-ports']).toBe('[{"HTTP": 80}]');
    expect(annotations(ingress)['alb.ingress.kubernetes.io/certificate-arn']).toBeUndefined();
  });

  test('a TLS load-balancer port without a certificate', () => {
    expect(() => render('prod', service('storefront', 'web', { hostnames: ['shop.eu.example.com'] }))).toThrow(
      /environment prod, service web \(platform storefront\): exposure: TLS port 443 needs an ACM certificate covering shop\.eu\.example\.com/,
    );
  });

  test('two services claiming one host and path', () => {
    expect(() => render('prod', service('toytrex', 'web', { hostnames: ['resources.example.com'] }))).toThrow(
      /environment prod, service web \(platform toytrex\): charts\/toytrex\/web\.ts: host resources\.example\.com path \/ is already routed to resource-hub\/gateway/,
    );
  });

  test('an internet-facing hostname for a service marked internal', () => {
    expect(() => render('prod', service('port-assignment', 'assignment-engine', { hostnames: ['assignments.example.com'] }))).toThrow(
      /environment prod, service assignment-engine \(platform port-assignment\): internal: .*platforms\.port-assignment\.services\.assignment-engine\.hostnames in environments\/prod\.ts gives it the public host assignments\.example\.com/,
    );
  });

  test('an external database where the chart self-hosts the store, or where the facts have none', () => {
    expect(() => render('dev', (e: Any) => { e.platforms['sales-order'].dataStores['customer-mysql'] = { external: 'toytrex-mariadb' }; })).toThrow(
      /environment dev, data-store customer-mysql \(platform sales-order\): dataStores\.customer-mysql\.external is set/,
    );
    expect(() => render('staging', (e: Any) => { e.platforms['resource-hub'].dataStores['resource-hub-postgres'] = { external: 'resource-hub-postgres' }; })).toThrow(
      /environment staging, external-database resource-hub-postgres \(platform resource-hub\): endpoint 'resource-hub-postgres' is not in the cluster facts' database_endpoints/,
    );
    expect(() => render('prod', (e: Any) => { e.platforms['resource-hub'].dataStores['resource-hub-postgres'].storage = '5Gi'; })).toThrow(
      /environment prod: [\s\S]*platforms\.resource-hub\.dataStores\.resource-hub-postgres\.external: external excludes/,
    );
  });
});

describe('chart-level exposure errors', () => {
  const build = (props: Partial<MicroserviceProps>) => buildMicroservice({ scaling: { replicas: 1 }, ...props }, { platform: 'x', name: 'demo' });

  test('a service marked internal with a public host in the chart', () => {
    expect(() => build({ internal: true, exposure: { type: 'alb-ingress', hosts: [{ subdomain: 'demo', zone: 'public' }] } })).toThrow(
      /environment prod, service demo \(platform x\): internal: .*exposure\.hosts gives it the public host demo\.example\.com; use a hostname in the private zone \(internal\.example\.com\)/,
    );
    expect(() => build({ internal: true, exposure: { type: 'load-balancer', hosts: [{ subdomain: 'demo', zone: 'public' }], ports: [{ name: 'http', port: 80, targetPort: 'http', tls: true }] } })).toThrow(/internal: /);
  });

  test('a "public" host that lies in the private domain, and a subdomain that is no DNS name', () => {
    expect(() => build({ exposure: { type: 'alb-ingress', hosts: [{ subdomain: 'demo.internal', zone: 'public' }] } })).toThrow(
      /environment prod, service demo \(platform x\): charts\/x\/x\.ts: exposure\.hosts: 'demo\.internal\.example\.com' is declared public but lies in the private domain/,
    );
    expect(() => build({ exposure: { type: 'alb-ingress', hosts: [{ subdomain: 'Demo_1', zone: 'public' }] } })).toThrow(/exposure\.hosts\.0\.subdomain: must be lower-case DNS labels such as shop, or '' for the apex \(got "Demo_1"\)/);
  });

  test('two services of one chart on one host and path', () => {
    const env = loadCommitted('prod');
    const context = new PlatformContext(env, 'x', { enabled: true, services: {}, dataStores: {} });
    const chart = new PlatformChart(new App(), 'x', context);
    const props: MicroserviceProps = {
      image: { repository: 'example.com/demo', tag: '1.0.0' },
      scaling: { replicas: 1 },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
      exposure: { type: 'nginx-ingress', hosts: [{ subdomain: 'demo', zone: 'public' }], paths: ['/api'] },
    };
    new Microservice(chart, 'one', props);
    expect(() => new Microservice(chart, 'two', props)).toThrow(/environment prod, service two \(platform x\): charts\/x\/x\.ts: host demo\.example\.com path \/api is already routed to x\/one/);
  });

  test('a private-only load balancer is internal; a private ALB joins the internal group', () => {
    const nlb = build({ internal: true, exposure: { type: 'load-balancer', hosts: [{ subdomain: 'demo', zone: 'private' }], ports: [{ name: 'https', port: 443, targetPort: 'http', tls: true }] } });
    const svc = nlb.find((o) => o.kind === 'Service');
    expect(annotations(svc)).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': PROD_PRIVATE_CERT,
      'external-dns.alpha.kubernetes.io/hostname': 'demo.internal.example.com',
    });
    expect(svc.metadata.labels[DNS_ZONE_LABEL]).toBe('private');
  });

  test('nodePort only behind an ALB', () => {
    expect(() => build({ nodePort: true })).toThrow(/environment prod, service demo \(platform x\): nodePort only makes sense behind an ALB Ingress/);
  });
});

describe('one hostname, one load balancer', () => {
  const { RouteRegistry } = require('../lib/platform-context') as typeof import('../lib/platform-context');
  const service = (name: string) => ({ environment: 'dev', component: { name, kind: 'service' } });
  test('a host routed by NGINX cannot also be an ALB host, and an NLB takes its host whole', () => {
    const routes = new RouteRegistry();
    routes.claim(service('a'), 'p/a', 'shop.dev.example.com', '/api', 'nginx');
    expect(() => routes.claim(service('b'), 'p/b', 'shop.dev.example.com', '/web', 'alb-internet-facing'))
      .toThrow(/environment dev, service b: host shop.dev.example.com is already served by the nginx load balancer of p\/a/);
    expect(() => routes.claim(service('c'), 'p/c', 'shop.dev.example.com', '*', 'nginx'))
      .toThrow(/path \(all\) is already routed to p\/a/);
    routes.claim(service('b'), 'p/b', 'shop.dev.example.com', '/web', 'nginx');
    routes.claim(service('d'), 'p/d', 'api.dev.example.com', '*', 'nlb');
    expect(() => routes.claim(service('e'), 'p/e', 'api.dev.example.com', '/x', 'nlb'))
      .toThrow(/host api.dev.example.com path \/x is already routed to p\/d/);
  });
});
