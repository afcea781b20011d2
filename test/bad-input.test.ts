import { join } from 'node:path';
import { snapshotTree, Workspace } from './helpers';

/**
 * Each bad input must stop the render with a message naming environment, service and field, exit non-zero,
 * and leave dist/ byte for byte as it was.
 */
describe('bad input fails the render and leaves dist/ untouched', () => {
  let ws: Workspace;
  let before: Map<string, string>;
  beforeAll(() => {
    ws = new Workspace();
    before = snapshotTree(join(ws.dir, 'dist'));
  });
  afterAll(() => ws.remove());

  const cases: { name: string; file: string; change: (s: string) => string; expected: RegExp[] }[] = [
    {
      name: 'negative replicas',
      file: 'environments/dev.ts',
      change: (s) => s.replace("'customer-service': { replicas: 1,", "'customer-service': { replicas: -2,"),
      expected: [/environment dev/, /platforms\.sales-order\.services\.customer-service\.replicas/, /must be ≥ 1/],
    },
    {
      name: "a 'latest' tag",
      file: 'environments/dev.ts',
      change: (s) => s.replace("'order-service': { replicas: 1,", "'order-service': { image: { tag: 'latest' }, replicas: 1,"),
      expected: [/environment dev, service order-service/, /image\.tag 'latest' is not allowed/],
    },
    {
      name: 'a missing image tag and digest',
      file: 'charts/sales-order/product-service.ts',
      change: (s) => s.replace("'sales-order/product-service'), tag: '2.0.4' }", "'sales-order/product-service') }"),
      expected: [/environment dev, service product-service/, /image .* has neither a tag nor a digest/],
    },
    {
      name: 'an override for a service that does not exist',
      file: 'environments/dev.ts',
      change: (s) => s.replace("'user-service': { resources: small },", "'user-service': { resources: small },\n        'billing-service': { replicas: 2 },"),
      expected: [/environment dev, service billing-service/, /platforms\.sales-order\.services\.billing-service/, /does not have/],
    },
    {
      name: 'malformed cluster facts',
      file: 'environments/clusters/dev.json',
      change: (s) => s.replace('"value": "eu-west-1"', '"value": "Ireland"'),
      expected: [/environment dev: cluster facts .*dev\.json are invalid/, /region: must be an AWS region/],
    },
    {
      name: 'two services on the same host and path',
      file: 'charts/sales-order/product-service.ts',
      change: (s) => s.replace("paths: ['/api/products']", "paths: ['/api/orders']"),
      expected: [/environment dev, service order-service/, /host sales\.dev\.example\.com path \/api\/orders is already routed to sales-order\/product-service/],
    },
    {
      name: 'a hostname outside the environment\'s domains',
      file: 'environments/prod.ts',
      change: (s) => s.replace('  platforms: {\n', "  platforms: {\n    toytrex: { services: { web: { hostnames: ['toytrex.example.org'] } } },\n"),
      expected: [/environment prod, service web \(platform toytrex\)/, /hostnames: 'toytrex\.example\.org' is outside the environment's domains/],
    },
    {
      name: 'an internet-facing hostname for an internal service',
      file: 'environments/prod.ts',
      change: (s) => s.replace('  platforms: {\n', "  platforms: {\n    'port-assignment': { services: { 'assignment-engine': { hostnames: ['assignments.example.com'] } } },\n"),
      expected: [/environment prod, service assignment-engine \(platform port-assignment\)/, /internal: .*hostnames .* gives it the public host assignments\.example\.com/],
    },
    {
      name: 'a TLS port without an ACM certificate in prod',
      file: 'environments/prod.ts',
      change: (s) => s.replace('  platforms: {\n', "  platforms: {\n    storefront: { services: { web: { hostnames: ['shop.eu.example.com'] } } },\n"),
      expected: [/environment prod, service web \(platform storefront\)/, /exposure: TLS port 443 needs an ACM certificate covering shop\.eu\.example\.com/],
    },
    {
      name: 'a mutable tag in prod',
      file: 'charts/sales-order/user-service.ts',
      change: (s) => s.replace("tag: '2.0.4'", "tag: 'main-3f2a1c9'"),
      expected: [/environment prod, service user-service/, /image\.tag 'main-3f2a1c9' is mutable/],
    },
    {
      name: 'a backup schedule that is not cron',
      file: 'environments/prod.ts',
      change: (s) => s.replace("schedule: '17 0,6,12,18 * * *'", "schedule: 'every 6 hours'"),
      expected: [/environment prod: environments\/prod\.ts is invalid/, /backups\.schedule/, /five-field cron expression/],
    },
    {
      name: 'a backup retention of zero days',
      file: 'environments/staging.ts',
      change: (s) => s.replace('retentionDays: 7', 'retentionDays: 0'),
      expected: [/environment staging: environments\/staging\.ts is invalid/, /backups\.retentionDays/, /must be ≥ 1 day/],
    },
    {
      name: 'backups where the cluster facts have no backup bucket',
      file: 'environments/dev.ts',
      change: (s) => s.replace("  secretPathPrefix: 'dev/',", "  secretPathPrefix: 'dev/',\n  backups: { schedule: '0 3 * * *', retentionDays: 3 },"),
      expected: [/environment dev: backups are set in environments\/dev\.ts/, /environments\/clusters\/dev\.json have no backup_bucket and backup_role_arn/],
    },
    {
      name: 'traces without an X-Ray role in the cluster facts',
      file: 'environments/clusters/dev.json',
      change: (s) => { const facts = JSON.parse(s); delete facts.xray_role_arn; return `${JSON.stringify(facts, null, 2)}\n`; },
      expected: [/environment dev, service otel-collector \(platform resource-hub\)/, /environments\/clusters\/dev\.json have no xray_role_arn/],
    },
  ];

  test.each(cases)('$name', ({ file, change, expected }) => {
    const original = ws.read(file);
    ws.edit(file, change);
    try {
      const result = ws.synth();
      expect(result.status).toBe(1);
      for (const pattern of expected) expect(result.stderr).toMatch(pattern);
      expect(result.stderr).toMatch(/dist\/ (and argocd\/ )?left unchanged/);
      expect(snapshotTree(join(ws.dir, 'dist'))).toEqual(before);
    } finally {
      ws.write(file, original);
    }
  });

  test('the unchanged workspace renders cleanly and changes nothing', () => {
    const result = ws.synth();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(snapshotTree(join(ws.dir, 'dist'))).toEqual(before);
  });
});
