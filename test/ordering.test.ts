import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { DataStore } from '../lib/data-store';
import { PlatformChart } from '../lib/platform-chart';
import { PlatformContext } from '../lib/platform-context';
import { execProbes } from '../lib/probes';
import { byCodePoint } from '../lib/validation';
import { Any, loadCommitted, ROOT } from './helpers';

/**
 * Output order never depends on the locale: `localeCompare` sorts "Z" after "a" in English and "ch" after "h"
 * in Czech, so a new key could reorder a StatefulSet's environment and roll it.
 */
describe('everything that orders output sorts by code point', () => {
  test('a data store\'s environment variables are in code-point order', () => {
    const context = new PlatformContext(loadCommitted('prod'), 'demo', { enabled: true, services: {}, dataStores: {} });
    const chart = new PlatformChart(new App(), 'demo', context);
    new DataStore(chart, 'demo-db', {
      engine: 'postgres',
      image: { repository: 'example.com/db', tag: '1.0.0' },
      replicas: 1,
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } },
      storage: '1Gi',
      dataPath: '/data',
      ports: [{ name: 'db', port: 5432 }],
      probes: execProbes(['true'], ['true']),
      runAsUser: 999,
      env: { a_lower: '1', CH_DIGRAPH: '2', Z_UPPER: '3', B: '4', H_LETTER: '5' },
    });
    const sts = chart.toJson().find((o: Any) => o.kind === 'StatefulSet');
    expect(sts.spec.template.spec.containers[0].env.map((e: Any) => e.name)).toEqual(['B', 'CH_DIGRAPH', 'H_LETTER', 'Z_UPPER', 'a_lower']);
  });

  test('byCodePoint is the same under every locale', () => {
    const keys = ['h', 'ch', 'Z', 'a', 'é', 'e'];
    expect([...keys].sort(byCodePoint)).toEqual(['Z', 'a', 'ch', 'e', 'h', 'é']);
    expect([...keys].sort((a, b) => a.localeCompare(b, 'cs'))).not.toEqual([...keys].sort(byCodePoint));
  });

  test('no source that renders output sorts by locale', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else if (path.endsWith('.ts') && /localeCompare|Intl\.Collator/.test(readFileSync(join(ROOT, path), 'utf8'))) offenders.push(path);
      }
    };
    for (const dir of ['cli', 'lib', 'charts', 'environments']) walk(dir);
    expect(offenders).toEqual([]);
  });
});
