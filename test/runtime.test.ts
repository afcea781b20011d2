import { checkPolicies, PolicyReport } from '../lib/policy/gate';
import type { RenderedFile } from '../lib/kube-object';
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

describe('6. no PodDisruptionBudget stalls a drain', () => {
  test.each(ENVS)('%s: every PDB lets unhealthy pods be evicted', (env) => {
    const pdbs = objects(rendered[env]).filter((o) => o.kind === 'PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThan(env === 'dev' ? 1 : 10);
    for (const pdb of pdbs) expect([pdb.metadata.name, pdb.spec.unhealthyPodEvictionPolicy]).toEqual([pdb.metadata.name, 'AlwaysAllow']);
  });

  test('the gate refuses a PDB without AlwaysAllow', () => {
    const files = mutate(prod, 'PodDisruptionBudget', 'order-mongodb', (o) => { delete o.spec.unhealthyPodEvictionPolicy; });
    expect(violationsOf(files, 'pdb-unhealthy-eviction')).toEqual([
      expect.objectContaining({ object: 'PodDisruptionBudget sales-order/order-mongodb', message: expect.stringMatching(/unset \(IfHealthyBudget\): a crash-looping pod would block every node drain/) }),
    ]);
  });
});

describe('2. rollouts behind AWS load balancers drop no request', () => {
  const TARGETS: Record<string, { namespace: string; front: [string, string]; targetType: 'ip' | 'instance' }> = {
    'storefront/web': { namespace: 'storefront', front: ['Service', 'web'], targetType: 'ip' },
    'port-assignment/backend': { namespace: 'port-assignment', front: ['Ingress', 'backend-public'], targetType: 'ip' },
    'port-assignment/assignment-engine': { namespace: 'port-assignment', front: ['Ingress', 'assignment-engine'], targetType: 'ip' },
    'resource-hub/gateway': { namespace: 'resource-hub', front: ['Ingress', 'gateway'], targetType: 'ip' },
    'toytrex/web': { namespace: 'toytrex', front: ['Ingress', 'web'], targetType: 'instance' },
  };
  const find = (files: RenderedFile[], kind: string, name: string, namespace: string) =>
    objects(files).find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);

  test.each(ENVS)('%s: every ALB/NLB target sleeps past the explicit deregistration delay, then gets time to stop', (env) => {
    for (const [id, t] of Object.entries(TARGETS)) {
      const name = id.split('/')[1];
      const pod = find(rendered[env], 'Deployment', name, t.namespace).spec.template.spec;
      const front = find(rendered[env], t.front[0], t.front[1], t.namespace);
      const attributes = front.metadata.annotations[t.front[0] === 'Service' ? 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes' : 'alb.ingress.kubernetes.io/target-group-attributes'];
      expect([id, attributes]).toEqual([id, expect.stringContaining('deregistration_delay.timeout_seconds=30')]);
      expect([id, pod.containers[0].lifecycle]).toEqual([id, { preStop: { exec: { command: ['sleep', '40'] } } }]);
      expect([id, pod.terminationGracePeriodSeconds]).toEqual([id, 60]);
    }
    // Not behind an AWS load balancer: no sleep, the default grace.
    const middleware = find(rendered[env], 'Deployment', 'middleware', 'toytrex').spec.template.spec;
    expect(middleware.containers[0].lifecycle).toBeUndefined();
    expect(middleware.terminationGracePeriodSeconds).toBe(30);
  });

  test.each(ENVS)('%s: namespaces with IP targets are labelled for readiness gates, the others are not', (env) => {
    const labelled = objects(rendered[env]).filter((o) => o.kind === 'Namespace' && o.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject'] === 'enabled').map((o) => o.metadata.name).sort();
    // toytrex's ALB targets nodes (instance), sales-order sits behind ingress-nginx: no readiness gate applies.
    expect(labelled).toEqual(['port-assignment', 'resource-hub', 'storefront']);
  });

  test('the gate refuses a target without preStop, a sleep shorter than the delay, a short grace, an unlabelled namespace', () => {
    const rule = 'load-balancer-draining';
    const noHook = violationsOf(mutate(prod, 'Deployment', 'gateway', (o) => { delete o.spec.template.spec.containers[0].lifecycle; }), rule);
    expect(noHook).toEqual([expect.objectContaining({ object: 'Deployment resource-hub/gateway', message: 'container gateway is a target of Ingress gateway but has no preStop hook: it stops while the load balancer still sends to it' })]);
    const longDelay = violationsOf(mutate(prod, 'Service', 'web', (o) => { delete o.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes']; }, 'storefront'), rule);
    expect(longDelay).toEqual([expect.objectContaining({ object: 'Deployment storefront/web', message: 'container web: preStop sleeps 40s, less than the 300s deregistration delay of Service web' })]);
    const shortGrace = violationsOf(mutate(prod, 'Deployment', 'web', (o) => { o.spec.template.spec.terminationGracePeriodSeconds = 40; }, 'toytrex'), rule);
    expect(shortGrace).toEqual([expect.objectContaining({ object: 'Deployment toytrex/web', message: expect.stringMatching(/terminationGracePeriodSeconds 40 leaves container web no time/) })]);
    const unlabelled = violationsOf(mutate(prod, 'Namespace', 'port-assignment', (o) => { delete o.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']; }), rule);
    expect(unlabelled.map((v) => v.object).sort()).toEqual(['Deployment port-assignment/assignment-engine', 'Deployment port-assignment/backend']);
    expect(unlabelled[0].message).toMatch(/lacks the label elbv2\.k8s\.aws\/pod-readiness-gate-inject: enabled/);
  });
});

describe('3. every public host redirects HTTP to HTTPS, or its plain port says why', () => {
  const annotations = (o: Any): Record<string, string> => o.metadata.annotations ?? {};
  const nginxValues = (env: string) => {
    const { enabledAddons } = require('../lib/addons/catalog') as typeof import('../lib/addons/catalog');
    return (enabledAddons(loadCommitted(env)).find((a) => a.addon.name === 'ingress-nginx')!.values as Any).controller;
  };

  test.each(ENVS)('%s: ALBs redirect, NLB ports terminate TLS or carry their reason, NGINX hosts reach a redirecting NLB', (env) => {
    const exposed = objects(rendered[env]).filter((o) => o.kind === 'Ingress' || (o.kind === 'Service' && o.spec.type === 'LoadBalancer'));
    const publicOnes = exposed.filter((o) => o.metadata.labels['platform-manifests/dns-zone'] === 'public');
    expect(publicOnes.length).toBeGreaterThanOrEqual(8);
    for (const o of publicOnes) {
      const a = annotations(o);
      if (o.kind === 'Service') {
        const tls = a['service.beta.kubernetes.io/aws-load-balancer-ssl-ports'].split(',');
        for (const port of o.spec.ports) {
          const reason = a[`platform-manifests/plaintext-${port.name}`];
          expect([o.metadata.name, port.name, tls.includes(port.name) || (reason ?? '').length > 15]).toEqual([o.metadata.name, port.name, true]);
        }
      } else if (o.spec.ingressClassName === 'alb') {
        expect([o.metadata.name, a['alb.ingress.kubernetes.io/ssl-redirect']]).toEqual([o.metadata.name, '443']);
      } else {
        expect(o.spec.ingressClassName).toBe('nginx');
      }
    }
    const controller = nginxValues(env);
    expect(controller.service.targetPorts).toEqual({ http: 'tohttps', https: 'http' });
    expect(controller.containerPort).toEqual({ http: 80, https: 443, tohttps: 2443 });
    expect(controller.config['http-snippet']).toBe('server { listen 2443; return 308 https://$host$request_uri; }');
  });

  test('storefront states why 80 and 5000 are plain; 443 alone terminates TLS', () => {
    const service = objects(prod).find((o) => o.kind === 'Service' && o.metadata.name === 'web' && o.metadata.namespace === 'storefront');
    expect(annotations(service)['service.beta.kubernetes.io/aws-load-balancer-ssl-ports']).toBe('https');
    expect(annotations(service)['platform-manifests/plaintext-http']).toMatch(/cannot redirect/);
    expect(annotations(service)['platform-manifests/plaintext-api']).toMatch(/5000/);
    expect(annotations(service)['platform-manifests/plaintext-https']).toBeUndefined();
  });

  test('a load-balancer port that neither terminates TLS nor says why is a synth error', () => {
    const { buildMicroservice } = require('./helpers') as typeof import('./helpers');
    const ports = [{ name: 'http', port: 80, targetPort: 'http' }] as Any;
    expect(() => buildMicroservice({ exposure: { type: 'load-balancer', hosts: [{ subdomain: 'demo', zone: 'public' }], ports } }, { platform: 'x', name: 'demo' })).toThrow(
      "environment prod, service demo (platform x): exposure.ports: port 80 (http) neither terminates TLS (tls: true) nor says why it stays plain (plaintext: '<reason>')",
    );
  });

  test('the NGINX load balancer drains like every AWS target', () => {
    const controller = nginxValues('prod');
    expect(controller.service.annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes']).toContain('deregistration_delay.timeout_seconds=30');
    expect(controller.extraArgs).toEqual({ 'shutdown-grace-period': '40' });
  });
});

describe('4. one exposure plan decides hosts, zones, certificates and schemes', () => {
  const { buildMicroservice } = require('./helpers') as typeof import('./helpers');
  const { nginxLoadBalancer } = require('../lib/exposure-plan') as typeof import('../lib/exposure-plan');
  const nginx = (hosts: Any[], env = 'prod') =>
    () => buildMicroservice({ exposure: { type: 'nginx-ingress', hosts, paths: ['/'] } }, { env, platform: 'x', name: 'demo' });

  test('an NGINX-routed host that the NGINX load balancer\'s certificate does not cover is a synth error', () => {
    expect(nginx([{ subdomain: 'eu.sales', zone: 'public' }])).toThrow(
      'environment prod, service demo (platform x): exposure: eu.sales.example.com is NGINX-routed, but the certificate on ingress-nginx\'s load balancer ' +
        '(the one for *.example.com) does not cover it; use a host directly below example.com, or an alb-ingress exposure with its own certificate',
    );
    // The same through an environment's hostnames.
    expect(() => render('prod', (e: Any) => { e.platforms['sales-order'] = { services: { 'user-service': { hostnames: ['eu.sales.example.com'] } } }; })).toThrow(
      /environment prod, service user-service \(platform sales-order\): exposure: eu\.sales\.example\.com is NGINX-routed, but the certificate/,
    );
  });

  test('a private-zone host behind the internet-facing NGINX load balancer is a synth error', () => {
    expect(nginx([{ subdomain: 'sales', zone: 'private' }])).toThrow(
      'environment prod, service demo (platform x): exposure: sales.internal.example.com is a private-zone host, but NGINX-routed hosts are served by ' +
        'ingress-nginx\'s internet-facing load balancer, which would answer it from the internet; use an alb-ingress exposure (internal ALB) for private hosts',
    );
    expect(() => render('staging', (e: Any) => { e.platforms['sales-order'].services['order-service'].hostnames = ['sales.staging.internal.example.com']; })).toThrow(
      /environment staging, service order-service \(platform sales-order\): exposure: sales\.staging\.internal\.example\.com is a private-zone host/,
    );
  });

  test.each(ENVS)('%s: every NGINX host is public and covered by the certificate the controller\'s NLB carries', (env) => {
    const lb = nginxLoadBalancer(loadCommitted(env).cluster);
    const controller = (require('../lib/addons/catalog') as typeof import('../lib/addons/catalog')).enabledAddons(loadCommitted(env))
      .find((a) => a.addon.name === 'ingress-nginx')!.values as Any;
    expect(controller.controller.service.annotations['service.beta.kubernetes.io/aws-load-balancer-ssl-cert']).toBe(lb.certificateArn);
    expect(controller.controller.service.annotations['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe(lb.scheme);
    const hosts = objects(rendered[env]).filter((o) => o.kind === 'Ingress' && o.spec.ingressClassName === 'nginx').flatMap((o) => o.spec.rules.map((r: Any) => r.host));
    expect(hosts.length).toBe(4);
    const cluster = loadCommitted(env).cluster;
    for (const host of hosts) {
      expect(host.endsWith(`.${cluster.private_domain}`)).toBe(false);
      expect(cluster.certificate_arns[`*.${host.slice(host.indexOf('.') + 1)}`]).toBe(lb.certificateArn);
    }
  });
});

describe('8. TLS to RDS verifies the server against the RDS CA bundle', () => {
  const { X509Certificate } = require('node:crypto') as typeof import('node:crypto');
  const find = (files: RenderedFile[], kind: string, name: string, namespace: string) =>
    objects(files).find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
  const roots = (pem: string) => pem.split(/(?<=-----END CERTIFICATE-----\n)/).filter(Boolean).map((p) => /CN=(.*)/.exec(new X509Certificate(p).subject)![1]);
  const EU_WEST_1 = ['Amazon RDS eu-west-1 Root CA RSA2048 G1', 'Amazon RDS eu-west-1 Root CA RSA4096 G1', 'Amazon RDS eu-west-1 Root CA ECC384 G1'];

  const clients: [string, string, string, string, Record<string, string>, (env: string) => boolean][] = [
    ['resource-hub', 'api', 'resource-hub-postgres', 'resource-hub-prod.c9akciq32prd.eu-west-1.rds.amazonaws.com',
      { DATABASE_SSLMODE: 'verify-full', DATABASE_SSLROOTCERT: '/etc/ssl/certs/resource-hub-postgres/ca.pem' }, (env) => env === 'prod'],
    ['toytrex', 'middleware', 'toytrex-mariadb', 'toytrex-%s.eu-west-1.rds.amazonaws.com',
      { DB_SSL_MODE: 'VERIFY_IDENTITY', DB_SSL_CA: '/etc/ssl/certs/toytrex-mariadb/ca.pem' }, () => true],
  ];

  test.each(ENVS)('%s: RDS clients verify the endpoint\'s certificate and name with the region\'s RDS roots, mounted read-only', (env) => {
    for (const [namespace, service, database, , settings, usesRds] of clients) {
      if (!usesRds(env)) continue;
      const ca = find(rendered[env], 'ConfigMap', `${database}-ca`, namespace);
      expect(roots(ca.data['ca.pem'])).toEqual(EU_WEST_1);
      const config = find(rendered[env], 'ConfigMap', `${service}-config`, namespace).data;
      expect(config).toMatchObject(settings);
      const host = config.DATABASE_HOST ?? config.DB_HOST;
      expect(host).toBe(find(rendered[env], 'Service', database, namespace).spec.externalName);
      const pod = find(rendered[env], 'Deployment', service, namespace).spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: `${database}-ca`, configMap: { name: `${database}-ca` } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: `${database}-ca`, mountPath: `/etc/ssl/certs/${database}`, readOnly: true });
    }
  });

  test('self-hosted PostgreSQL (dev, staging) serves no TLS, and the api says so instead of "prefer"', () => {
    for (const env of ['dev', 'staging'] as const) {
      const config = find(rendered[env], 'ConfigMap', 'api-config', 'resource-hub').data;
      expect(config).toMatchObject({ DATABASE_HOST: 'resource-hub-postgres', DATABASE_SSLMODE: 'disable' });
      expect(config.DATABASE_SSLROOTCERT).toBeUndefined();
    }
    for (const env of ENVS) expect(JSON.stringify(objects(rendered[env]))).not.toContain('"prefer"');
  });

  test('an endpoint that is not Amazon RDS has no known CA and is refused', () => {
    const facts = require('node:fs').readFileSync(require('node:path').join(__dirname, '../environments/clusters/prod.json'), 'utf8');
    const { parseClusterFacts } = require('../environments/cluster-facts') as typeof import('../environments/cluster-facts');
    const { renderEnvironment } = require('../lib/render/build') as typeof import('../lib/render/build');
    const { PLATFORMS } = require('../charts') as typeof import('../charts');
    const json = JSON.parse(facts);
    json.database_endpoints.value['toytrex-mariadb'].host = 'mariadb.db.internal.example.com';
    const env = { ...loadCommitted('prod'), cluster: parseClusterFacts('prod', 'prod.json', json) };
    expect(() => renderEnvironment(env, PLATFORMS)).toThrow(
      /environment prod, external-database toytrex-mariadb \(platform toytrex\): database_endpoints\.toytrex-mariadb\.host mariadb\.db\.internal\.example\.com is not an Amazon RDS endpoint/,
    );
  });
});

describe('7. Redis fails over automatically; secrets never on a command line; helpers get only what they need', () => {
  const statefulSet = (env: string, name: string) => objects(rendered[env as (typeof ENVS)[number]]).find((o) => o.kind === 'StatefulSet' && o.metadata.name === name);
  const allContainers = (o: Any) => [...(o.spec.template.spec.initContainers ?? []), ...o.spec.template.spec.containers];
  const secretEnv = (c: Any) => (c.env ?? []).filter((e: Any) => e.valueFrom?.secretKeyRef).map((e: Any) => e.name).sort();

  test.each(ENVS)('%s: a Sentinel beside every Redis member, quorum of a majority, announcing stable names', (env) => {
    const redis = statefulSet(env, 'product-redis');
    const [cache, sentinel] = redis.spec.template.spec.containers;
    expect(cache.command).toEqual(['redis-server', '/etc/redis/redis.conf']);
    expect(sentinel.command).toEqual(['redis-sentinel', '/etc/redis-sentinel/sentinel.conf']);
    expect(sentinel.ports).toEqual([{ name: 'sentinel', containerPort: 26379, protocol: 'TCP' }]);
    expect(sentinel.readinessProbe.exec.command.join(' ')).toContain('-p 26379 ping');
    const script: string = redis.spec.template.spec.initContainers[0].command[2];
    expect(script).toContain('sentinel get-master-addr-by-name mymaster');
    expect(script).toContain('sentinel monitor mymaster %s 6379 2');
    expect(script).toContain('sentinel announce-hostnames yes');
    expect(script).toContain('replica-announce-ip %s');
    // The config directories holding the password are tmpfs.
    const memory = redis.spec.template.spec.volumes.filter((v: Any) => v.emptyDir?.medium === 'Memory');
    expect(memory.length).toBe(2);
    // No Service pins the primary: clients ask the Sentinels.
    const services = objects(rendered[env as (typeof ENVS)[number]]).filter((o) => o.kind === 'Service' && o.metadata.name.startsWith('product-redis'));
    for (const s of services) expect(s.spec.selector['statefulset.kubernetes.io/pod-name']).toBeUndefined();
  });

  test.each(ENVS)('%s: no password, token or key appears in any command or argument', (env) => {
    for (const o of objects(rendered[env]).filter((w) => w.kind === 'StatefulSet' || w.kind === 'Deployment')) {
      for (const c of allContainers(o)) {
        const probes = [c.readinessProbe, c.livenessProbe, c.startupProbe].flatMap((p: Any) => p?.exec?.command ?? []);
        const argv = [...(c.command ?? []), ...(c.args ?? []), ...probes].join(' ');
        // A password on a command line would be visible in /proc/<pid>/cmdline to every process of the node.
        expect([o.metadata.name, c.name, /--(requirepass|masterauth|password)\b|-p\s*"\$/.test(argv)]).toEqual([o.metadata.name, c.name, false]);
      }
    }
  });

  test.each(ENVS)('%s: init containers and sidecars get only the credentials they need', (env) => {
    const redis = statefulSet(env, 'product-redis');
    const byName = Object.fromEntries(allContainers(redis).map((c: Any) => [c.name, c]));
    expect(secretEnv(byName.configure)).toEqual(['REDISCLI_AUTH']);
    expect(secretEnv(byName.sentinel)).toEqual(['REDISCLI_AUTH']);
    expect(byName.configure.volumeMounts.map((m: Any) => m.name)).not.toContain('data');
    const mongo = statefulSet(env, 'order-mongodb');
    const m = Object.fromEntries(allContainers(mongo).map((c: Any) => [c.name, c]));
    expect(secretEnv(m.keyfile)).toEqual([]);
    expect(m.keyfile.volumeMounts.map((v: Any) => v.name)).toContain('order-mongodb-keyfile');
    expect(m['replica-set-init'].volumeMounts.map((v: Any) => v.name)).not.toContain('order-mongodb-keyfile');
    expect(secretEnv(m['replica-set-init'])).toEqual(['MONGO_APP_PASSWORD', 'MONGO_APP_USERNAME', 'MONGO_INITDB_ROOT_PASSWORD', 'MONGO_INITDB_ROOT_USERNAME']);
  });

  test('product-service follows the Sentinels and authenticates to them', () => {
    const config = objects(prod).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'product-service-config').data;
    expect(config.SPRING_DATA_REDIS_HOST).toBeUndefined();
    expect(config.SPRING_DATA_REDIS_SENTINEL_MASTER).toBe('mymaster');
    const secret = objects(prod).find((o) => o.kind === 'ExternalSecret' && o.metadata.name === 'product-service-redis');
    expect(secret.spec.data.map((d: Any) => d.secretKey)).toEqual(['SPRING_DATA_REDIS_PASSWORD', 'SPRING_DATA_REDIS_SENTINEL_PASSWORD']);
  });
});
