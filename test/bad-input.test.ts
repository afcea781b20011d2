import { join } from 'node:path';
import { snapshotTree, Workspace } from './helpers';

/**
 * Each bad input must stop the render with a message naming environment, service and field, exit non-zero,
 * and leave dist/ byte for byte as it was.
 */
describe('bad input fails the render and leaves dist/ untouched', () => {
  let ws: Workspace;
  let before: Map<string, string>;
  let beforeArgoCd: Map<string, string>;
  beforeAll(() => {
    ws = new Workspace();
    before = snapshotTree(join(ws.dir, 'dist'));
    beforeArgoCd = snapshotTree(join(ws.dir, 'argocd'));
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
      file: 'releases/dev.json',
      change: (s) => s.replace('"order-service": {\n      "tag": "2.0.4"', '"order-service": {\n      "tag": "latest"'),
      expected: [/environment dev: releases\/dev\.json is invalid/, /sales-order\.order-service\.tag: must name one build: 'latest' moves/],
    },
    {
      name: 'a service without a release',
      file: 'releases/dev.json',
      change: (s) => s.replace('"product-service": {\n      "tag": "2.0.4"\n    },\n', ''),
      expected: [/environment dev, service product-service/, /no release recorded: add "sales-order": \{ "product-service"/, /releases\/dev\.json/],
    },
    {
      name: 'a release of a service that does not exist',
      file: 'releases/staging.json',
      change: (s) => s.replace('"storefront": {', '"storefront": {\n    "checkout": { "tag": "1.0.0" },'),
      expected: [/environment staging: releases\/staging\.json: "storefront"\."checkout" is not a service of platform storefront \(services: web\)/],
    },
    {
      name: 'a release of a platform that does not exist',
      file: 'releases/staging.json',
      change: (s) => s.replace('"storefront": {', '"billing": { "api": { "tag": "1.0.0" } },\n  "storefront": {'),
      expected: [/environment staging: releases\/staging\.json: "billing" is not a platform \(platforms: sales-order, /],
    },
    {
      name: 'an unknown field in a release',
      file: 'releases/prod.json',
      change: (s) => s.replace('"web": {\n      "tag": "3.2.1"', '"web": {\n      "tag": "3.2.1", "sha": "abc"'),
      expected: [/environment prod: releases\/prod\.json is invalid/, /storefront\.web: Unrecognized key: "sha"/],
    },
    {
      name: 'an image version in an environment file instead of the release file',
      file: 'environments/dev.ts',
      change: (s) => s.replace("'order-service': { replicas: 1,", "'order-service': { image: { tag: '2.0.5' }, replicas: 1,"),
      expected: [/environments\/dev\.ts is invalid/, /platforms\.sales-order\.services\.order-service\.image: a service's image tag and digest live in releases\/<env>\.json/],
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
      file: 'releases/prod.json',
      change: (s) => s.replace('"user-service": {\n      "tag": "2.0.4"', '"user-service": {\n      "tag": "main-3f2a1c9"'),
      expected: [/environment prod, service user-service/, /image\.tag 'main-3f2a1c9' is mutable/],
    },
  ];

  test.each(cases)('$name', ({ file, change, expected }) => {
    const original = ws.read(file);
    ws.edit(file, change);
    try {
      const result = ws.synth();
      expect(result.status).toBe(1);
      for (const pattern of expected) expect(result.stderr).toMatch(pattern);
      expect(snapshotTree(join(ws.dir, 'argocd'))).toEqual(beforeArgoCd);
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
