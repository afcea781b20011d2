import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatReleases, loadReleases, Releases } from '../environments/releases';
import { planPromotion, planSet, releaseStatus } from '../lib/release/release-plan';
import { Any, ROOT, snapshotTree, Workspace } from './helpers';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const OTHER_DIGEST = `sha256:${'cd34'.repeat(16)}`;

describe('release data', () => {
  test('the committed release files are in the canonical form release writes', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const releases = loadReleases(env, join(ROOT, 'releases'));
      expect(snapshotTree(join(ROOT, 'releases')).get(`${env}.json`)).toBe(formatReleases(releases));
    }
  });

  test('set needs a digest where images are immutable, and changes only the one service', () => {
    const current: Releases = { shop: { web: { tag: '1.0.0' }, api: { tag: '1.0.0' } } };
    expect(() => planSet(current, { name: 'prod', imagePolicy: 'immutable' }, { platform: 'shop', service: 'web' }, { tag: '1.0.1' }))
      .toThrow(/shop\/web 1\.0\.1: environment prod runs immutable images only, so a release into it needs the image's digest; pass --digest/);
    const { releases, changes } = planSet(current, { name: 'prod', imagePolicy: 'immutable' }, { platform: 'shop', service: 'web' }, { tag: '1.0.1', digest: DIGEST });
    expect(releases).toEqual({ shop: { web: { tag: '1.0.1', digest: DIGEST }, api: { tag: '1.0.0' } } });
    expect(changes).toEqual([{ platform: 'shop', service: 'web', before: { tag: '1.0.0' }, after: { tag: '1.0.1', digest: DIGEST } }]);
    expect(current.shop.web).toEqual({ tag: '1.0.0' });
    expect(planSet(current, { name: 'dev', imagePolicy: 'pinned' }, { platform: 'shop', service: 'web' }, { tag: '1.0.0' }).changes).toEqual([]);
  });

  test('promotion copies tag and digest exactly, only what differs, and refuses releases without the digest prod needs', () => {
    const staging = { name: 'staging', releases: { shop: { web: { tag: '1.1.0', digest: DIGEST }, api: { tag: '2.0.0' }, cart: { tag: '3.0.0' } } } };
    const prod = { name: 'prod', imagePolicy: 'immutable' as const, releases: { shop: { web: { tag: '1.0.0', digest: OTHER_DIGEST }, api: { tag: '1.9.0' }, cart: { tag: '3.0.0' }, legacy: { tag: '0.9.0' } } } };
    expect(() => planPromotion(staging, prod)).toThrow(/cannot promote staging → prod: 1 release\(s\) lack a digest:\n {2}- shop\/api 2\.0\.0: .*record the digest in staging first \(npm run release -- set --env staging --service shop\/api --tag 2\.0\.0 --digest/);
    const { releases, changes } = planPromotion(staging, prod, [{ platform: 'shop', service: 'web' }]);
    expect(changes.map((c) => [c.service, c.after])).toEqual([['web', { tag: '1.1.0', digest: DIGEST }]]);
    expect(releases.shop).toEqual({ web: { tag: '1.1.0', digest: DIGEST }, api: { tag: '1.9.0' }, cart: { tag: '3.0.0' }, legacy: { tag: '0.9.0' } });
    // To an environment that accepts tags, everything that differs moves; what the source does not record stays.
    const dev = planPromotion(staging, { name: 'dev', imagePolicy: 'pinned', releases: prod.releases });
    expect(dev.changes.map((c) => c.service)).toEqual(['api', 'web']);
    expect(dev.releases.shop.legacy).toEqual({ tag: '0.9.0' });
    expect(() => planPromotion(staging, prod, [{ platform: 'shop', service: 'nope' }])).toThrow(/--service shop\/nope: releases\/staging\.json has no release of it \(it records: shop\/api, shop\/cart, shop\/web\)/);
  });

  test('status lines up every environment and marks where they differ', () => {
    const rows = releaseStatus([
      { name: 'dev', releases: { shop: { web: { tag: '1.1.0' }, api: { tag: '1.0.0' } } } },
      { name: 'prod', releases: { shop: { web: { tag: '1.0.0' }, api: { tag: '1.0.0' } } } },
    ]);
    expect(rows.map((r) => [r.service, r.differs])).toEqual([['api', false], ['web', true]]);
    expect(rows[1].releases).toEqual({ dev: { tag: '1.1.0' }, prod: { tag: '1.0.0' } });
  });
});

/** The commands run in-process (Workspace.release); the real CLI's wiring is tested at the end. */
describe('npm run release', () => {
  let ws: Workspace;
  const trees = () => ({ releases: snapshotTree(join(ws.dir, 'releases')), dist: snapshotTree(join(ws.dir, 'dist')), argocd: snapshotTree(join(ws.dir, 'argocd')) });
  let pristine: ReturnType<typeof trees>;
  beforeAll(() => {
    ws = new Workspace();
    pristine = trees();
  });
  afterAll(() => ws.remove());

  const deployment = (env: string, platform: string, service: string): Any => {
    const docs = parseAllDocuments(ws.read(`dist/${env}/${platform}/${service}.yaml`)).map((d) => d.toJSON());
    return docs.find((o: Any) => o.kind === 'Deployment' && o.metadata.name === service);
  };

  describe.each<[string, string[], RegExp[]]>([
    ['an unknown service', ['set', '--env', 'dev', '--service', 'sales-order/billing-service', '--tag', '2.0.5'], [/"sales-order"\."billing-service" is not a service of platform sales-order \(services: user-service, customer-service, product-service, order-service\)/]],
    ['an unknown platform', ['set', '--env', 'dev', '--service', 'billing/api', '--tag', '2.0.5'], [/releases\/dev\.json: "billing" is not a platform/]],
    ['a malformed service name', ['set', '--env', 'dev', '--service', 'order-service', '--tag', '2.0.5'], [/--service 'order-service': must be <platform>\/<service>/]],
    ["the tag 'latest'", ['set', '--env', 'dev', '--service', 'sales-order/order-service', '--tag', 'latest'], [/--tag 'latest': must name one build/]],
    ['a malformed tag', ['set', '--env', 'dev', '--service', 'sales-order/order-service', '--tag', '2.0 beta'], [/--tag '2\.0 beta': must be an image tag/]],
    ['a malformed digest', ['set', '--env', 'dev', '--service', 'sales-order/order-service', '--tag', '2.0.5', '--digest', 'sha256:abc'], [/--digest 'sha256:abc': must be sha256:<64 lower-case hex digits>/]],
    ['a prod bump without a digest', ['set', '--env', 'prod', '--service', 'sales-order/order-service', '--tag', '2.0.5'], [/sales-order\/order-service 2\.0\.5: environment prod runs immutable images only, so a release into it needs the image's digest; pass --digest/]],
    ['an unknown environment', ['set', '--env', 'qa', '--service', 'sales-order/order-service', '--tag', '2.0.5'], [/--env 'qa' is not an environment \(environments: dev, staging, prod\)/]],
    ['a promotion without the digest prod needs', ['promote', '--from', 'dev', '--to', 'prod'], [/cannot promote dev → prod: 1 release\(s\) lack a digest/, /storefront\/web 3\.3\.0-rc\.1: environment prod runs immutable images only/]],
    ['a promotion of a service the source does not record', ['promote', '--from', 'staging', '--to', 'prod', '--service', 'storefront/checkout'], [/--service storefront\/checkout: releases\/staging\.json has no release of it/]],
    ['a promotion into itself', ['promote', '--from', 'prod', '--to', 'prod'], [/--from and --to are both 'prod'/]],
  ])('%s is refused with exit 1 and nothing written', (_name, args, expected) => {
    let before: ReturnType<typeof trees>;
    let result: ReturnType<Workspace['release']>;
    beforeAll(() => {
      // A change only dev has, so that promotions out of dev have something (without a digest) to move.
      const devReleases = pristine.releases.get('dev.json')!.replace('"tag": "3.2.1"', '"tag": "3.3.0-rc.1"');
      ws.write('releases/dev.json', devReleases);
      // What trees() reads now, without reading dist/ again: the pristine output and the changed release file.
      before = { ...pristine, releases: new Map([...pristine.releases, ['dev.json', devReleases]]) };
      result = ws.release(...args);
    });
    afterAll(() => ws.write('releases/dev.json', pristine.releases.get('dev.json')!));
    test('exit 1 and the message', () => {
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^release (set|promote) failed, nothing written:/);
      for (const pattern of expected) expect(result.stderr).toMatch(pattern);
    });
    test('releases/, dist/ and argocd/ are byte-identical', () => expect(trees()).toEqual(before));
  });

  test.each<[string, string[], RegExp]>([
    ['an unknown flag', ['set', '--env', 'dev', '--servise', 'sales-order/order-service'], /release set: Unknown option '--servise'[\s\S]*usage: npm run release -- set --env/],
    ['a missing --tag', ['set', '--env', 'dev', '--service', 'sales-order/order-service'], /release set: --tag is required[\s\S]*usage: npm run release -- set/],
    ['an unknown command', ['deploy'], /release: unknown command 'deploy'[\s\S]*commands:/],
    ['a stray argument', ['status', 'prod'], /release status: Unexpected argument 'prod'[\s\S]*usage: npm run release -- status/],
    ['no command', [], /usage: npm run release -- <command>/],
  ])('%s prints the usage and exits 2, writing nothing', (_name, args, expected) => {
    const result = ws.release(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(trees()).toEqual(pristine);
  });

  test.each(['set', 'promote', 'status'])('%s --help describes its options', (command) => {
    const result = ws.release(command, '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: npm run release -- ${command}`));
    expect(result.stdout).toMatch(/-h, --help/);
  });

  test('set --dry-run prints the diff and writes nothing', () => {
    const result = ws.release('set', '--env', 'dev', '--service', 'sales-order/order-service', '--tag', '2.0.5', '--dry-run');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/set dev: 1 change\(s\) \(dry run: nothing written\)\n {2}sales-order\/order-service: 2\.0\.4 → 2\.0\.5/);
    // The image field's change, before and after (the diff prints long values as a diff block).
    expect(result.stdout).toMatch(/containers\[name=order-service\]\/image`:[\s\S]*111111111111\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/sales-order\/order-service:2\.0\.4[\s\S]*order-service:2\.0\.5/);
    expect(trees()).toEqual(pristine);
  });

  describe('a bump in dev, its promotion to staging and prod, and status', () => {
    afterAll(() => {
      for (const [file, text] of pristine.releases) ws.write(`releases/${file}`, text);
      expect(ws.synth('--quiet').status).toBe(0);
    });

    test('set updates the file, re-renders dev only and prints the rendered diff', () => {
      const result = ws.release('set', '--env', 'dev', '--service', 'sales-order/order-service', '--tag', '2.0.5', '--digest', DIGEST);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`sales-order/order-service: 2.0.4 → 2.0.5@${DIGEST}`);
      expect(result.stdout).toMatch(/#### dev · sales-order\n- \*\*changed\*\* `apps\/Deployment sales-order\/order-service`/);
      expect(JSON.parse(ws.read('releases/dev.json'))['sales-order']['order-service']).toEqual({ tag: '2.0.5', digest: DIGEST });
      const container = deployment('dev', 'sales-order', 'order-service').spec.template.spec.containers[0];
      expect(container.image).toBe(`111111111111.dkr.ecr.eu-west-1.amazonaws.com/sales-order/order-service:2.0.5@${DIGEST}`);
      const after = trees();
      for (const tree of ['dist', 'argocd'] as const) {
        for (const [path, text] of after[tree]) if (!path.startsWith('dev/')) expect(`${path}\n${text}`).toBe(`${path}\n${pristine[tree].get(path)}`);
      }
      // What set wrote is what synth renders.
      expect(ws.synth('--quiet').status).toBe(0);
      expect(trees()).toEqual(after);
    });

    test('status shows where dev is ahead', () => {
      const result = ws.release('status');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^service\s+dev\s+staging\s+prod\n/);
      expect(result.stdout).toMatch(/\nsales-order\/order-service\s+2\.0\.5@sha256:ab12ab12ab12…\s+2\.0\.4\s+2\.0\.4\s+← differs\n/);
      expect(result.stdout).toMatch(/\nsales-order\/customer-service\s+2\.0\.4\s+2\.0\.4\s+2\.0\.4\n/);
      expect(result.stdout).toMatch(/1 of 11 services differ: sales-order\/order-service\n$/);
      const json = JSON.parse(ws.release('status', '--json').stdout);
      expect(json.find((r: Any) => r.service === 'order-service')).toEqual({
        platform: 'sales-order', service: 'order-service', differs: true,
        releases: { dev: { tag: '2.0.5', digest: DIGEST }, staging: { tag: '2.0.4' }, prod: { tag: '2.0.4' } },
      });
    });

    test('promote copies exactly the tested release forward, staging then prod', () => {
      const toStaging = ws.release('promote', '--from', 'dev', '--to', 'staging');
      expect(toStaging.status).toBe(0);
      expect(toStaging.stdout).toMatch(/^promote dev → staging: 1 change\(s\)\n {2}sales-order\/order-service: 2\.0\.4 → 2\.0\.5@sha256:(ab12){16}\n/);
      const toProd = ws.release('promote', '--from', 'staging', '--to', 'prod', '--service', 'sales-order/order-service');
      expect(toProd.stderr).toBe('');
      expect(toProd.status).toBe(0);
      expect(JSON.parse(ws.read('releases/prod.json'))['sales-order']).toEqual({
        ...JSON.parse(pristine.releases.get('prod.json')!)['sales-order'], 'order-service': { tag: '2.0.5', digest: DIGEST },
      });
      expect(deployment('prod', 'sales-order', 'order-service').spec.template.spec.containers[0].image).toMatch(new RegExp(`order-service:2\\.0\\.5@${DIGEST}$`));
      const again = ws.release('promote', '--from', 'staging', '--to', 'prod');
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/prod already runs what staging runs; nothing written/);
      expect(ws.release('status').stdout).toMatch(/all 11 services run the same release in dev, staging, prod/);
    });
  });
});

describe('end to end: the real release CLI', () => {
  let ws: Workspace;
  beforeAll(() => { ws = new Workspace(); });
  afterAll(() => ws.remove());
  const trees = () => ({ releases: snapshotTree(join(ws.dir, 'releases')), dist: snapshotTree(join(ws.dir, 'dist')), argocd: snapshotTree(join(ws.dir, 'argocd')) });

  test('a refused release exits 1 with the message and writes nothing', () => {
    const before = trees();
    const result = ws.releaseCli('set', '--env', 'prod', '--service', 'sales-order/order-service', '--tag', '2.0.5');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^release set failed, nothing written:\n.*sales-order\/order-service 2\.0\.5: environment prod runs immutable images only/);
    expect(trees()).toEqual(before);
  });

  test('a usage mistake exits 2 with the usage; --help exits 0', () => {
    const unknown = ws.releaseCli('set', '--env', 'dev', '--servise', 'sales-order/order-service');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/release set: Unknown option '--servise'[\s\S]*usage: npm run release -- set --env/);
    const help = ws.releaseCli('status', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run release -- status/);
  });
});
