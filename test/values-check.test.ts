import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS, loadEnvironment } from '../environments';
import { enabledAddons } from '../lib/addons/catalog';
import { chartArchiveDefaults, readChartDefaults } from '../lib/addons/chart-defaults';
import { ChartLock } from '../lib/addons/chart-lock';
import { checkValues, editDistance, nearestKeys, unknownValues } from '../lib/addons/values-check';
import { ROOT } from './helpers';

/** A small chart with a subchart used twice (once under an alias), a schema, a commented-out key. */
const FIXTURE = join(ROOT, 'test/fixtures/values-chart');
const chart = readChartDefaults(FIXTURE, 'values-chart 1.0.0');

describe('values checked against the chart', () => {
  test('keys of the defaults, of subcharts under their name or alias, documented or in a schema are known', () => {
    expect(unknownValues({
      replicaCount: 2,
      image: { tag: '1.2.3' },
      // Free-form defaults: {} and null.
      podAnnotations: { 'example.com/anything': 'x' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      // A Kubernetes object the chart copies verbatim: its fields are the API's (kubeconform checks them).
      resources: { limits: { memory: '64Mi' } },
      extraArgs: ['--verbose'],
      controller: { service: { loadBalancerClass: 'service.k8s.aws/nlb', annotations: { a: 'b' } } },
      sub: { enabled: true, serviceMonitor: { enabled: true, labels: { team: 'platform' } }, extraEnv: { FOO: 'bar' } },
      other: { serviceMonitor: { interval: '1m' } },
      global: { imageRegistry: 'example.com', subOnly: false },
    }, chart)).toEqual([]);
  });

  test('a misspelled key is reported with its full path and the nearest allowed keys', () => {
    expect(unknownValues({ image: { tga: '1' }, controller: { servce: { type: 'LoadBalancer' } } }, chart)).toEqual([
      { path: 'image.tga', key: 'tga', nearest: ['tag', 'repository'] },
      { path: 'controller.servce', key: 'servce', nearest: ['service', 'containerPort'] },
    ]);
  });

  test("a subchart's keys are checked against its own defaults and schema", () => {
    expect(unknownValues({ sub: { serviceMontor: { enabled: true } }, other: { serviceMonitor: { intervl: '1m' } } }, chart)).toEqual([
      { path: 'sub.serviceMontor', key: 'serviceMontor', nearest: ['serviceMonitor', 'extraEnv', 'enabled'] },
      { path: 'other.serviceMonitor.intervl', key: 'intervl', nearest: ['interval', 'enabled', 'labels'] },
    ]);
  });

  test('a default with keys is not free-form unless the add-on says so', () => {
    const values = { controller: { containerPort: { tohttps: 2443 } } };
    expect(unknownValues(values, chart).map((p) => p.path)).toEqual(['controller.containerPort.tohttps']);
    expect(unknownValues(values, chart, ['controller.containerPort'])).toEqual([]);
  });

  test('a commented-out key documents a key only in the column of the keys of its map', () => {
    expect(chart.documented).toEqual(new Map([['controller\nservice', ['loadBalancerClass', 'externalTrafficPolicy']]]));
    expect(unknownValues({ controller: { service: { externalTrafficPolicy: 'Local' } } }, chart)).toEqual([]);
    // `  # notAKey:` sits below extraArgs, deeper than the top-level keys; `#   operator:` is a list example.
    expect(unknownValues({ notAKey: true, operator: 'Exists', key: 'x' }, chart).map((p) => p.path)).toEqual(['notAKey', 'operator', 'key']);
  });

  test('a key known only from a comment or a scalar default admits nothing below it that can be checked', () => {
    expect(unknownValues({ controller: { service: { loadBalancerClass: 'x' } }, replicaCount: 3 }, chart)).toEqual([]);
    expect(unknownValues({ unknownTop: 1 }, chart)[0]).toMatchObject({ path: 'unknownTop', key: 'unknownTop' });
  });

  test('the refusal names the environment, the add-on, the path, the key, the nearest keys and where to fix it', () => {
    expect(() => checkValues('prod', 'demo', { image: { tga: '1' } }, chart)).toThrow(
      /^environment prod: add-on demo: values the chart values-chart 1\.0\.0 does not know \(Helm would ignore them silently\):\n {2}- image\.tga: the chart has no key 'tga' here \(nearest allowed: tag, repository\)\n {2}fix the key in the add-on's values in lib\/addons\/catalog\.ts/,
    );
    expect(() => checkValues('prod', 'demo', { image: { tag: '1' } }, chart)).not.toThrow();
  });

  test('nearest keys by edit distance, ties alphabetically', () => {
    expect(editDistance('dashbords', 'dashboards')).toBe(1);
    expect(editDistance('Tag', 'tag')).toBe(0);
    expect(nearestKeys('enabeld', ['enabled', 'labels', 'annotations', 'enable'], 2)).toEqual(['enable', 'enabled']);
  });

  test('a chart archive is read like the folder it packs', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'values-chart-'));
    try {
      const archive = join(scratch, 'values-chart-1.0.0.tgz');
      // A chart archive holds the chart in a folder named after it.
      expect(spawnSync('tar', ['-czf', archive, '-C', join(FIXTURE, '..'), '--transform', 's,^values-chart,values-chart,', 'values-chart']).status).toBe(0);
      const packed = chartArchiveDefaults(archive, 'values-chart', 'values-chart 1.0.0');
      expect(packed).toEqual(chart);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

const MIRROR = join(ROOT, '..', 'shared', 'charts');
(existsSync(MIRROR) ? describe : describe.skip)('the catalog against the locked charts (chart mirror)', () => {
  const lock = ChartLock.load(ROOT);
  const defaults = new Map<string, ReturnType<typeof chartArchiveDefaults>>();
  const of = (name: string) => {
    const c = lock.get(name);
    if (!defaults.has(name)) defaults.set(name, chartArchiveDefaults(join(MIRROR, `${c.name}-${c.version}.tgz`), c.name, `${c.name} ${c.version}`));
    return defaults.get(name)!;
  };

  test.each(ENVIRONMENTS.map((e) => e.name))('%s: every key of every add-on\'s values is one its chart knows', (name) => {
    const env = loadEnvironment(ENVIRONMENTS.find((e) => e.name === name)!, join(ROOT, 'environments'));
    const problems = enabledAddons(env).flatMap((item) =>
      unknownValues(item.values, of(item.addon.chart), (item.addon.freeFormValues ?? []).map((f) => f.path)).map((p) => `${item.addon.name}: ${p.path}`));
    expect(problems).toEqual([]);
  });

  test("kube-prometheus-stack's chart reads alertmanagerSpec.configSecret, documented only as a commented-out key", () => {
    const kps = of('kube-prometheus-stack');
    expect(unknownValues({ alertmanager: { alertmanagerSpec: { configSecret: 'x' } } }, kps)).toEqual([]);
    expect(unknownValues({ alertmanager: { alertmanagerSpec: { configSecrets: 'x' } } }, kps)[0]).toMatchObject({ key: 'configSecrets', nearest: expect.arrayContaining(['configSecret']) });
    // A subchart's keys: grafana's sidecar.
    expect(unknownValues({ grafana: { sidecar: { dashbords: { enabled: true } } } }, kps)[0]).toMatchObject({ path: 'grafana.sidecar.dashbords', nearest: expect.arrayContaining(['dashboards']) });
  });
});
