import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { ChartDefaults, documentedKey, ValuesSchema } from './values-check';

/**
 * The values a chart accepts, read from an unpacked chart folder: its `values.yaml`, its `values.schema.json`
 * when it ships one, and the same of each subchart in `charts/<dep>/`, keyed by the dependency's alias or name
 * (Chart.yaml `dependencies`).
 */
export function readChartDefaults(dir: string, label: string): ChartDefaults {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse, parseDocument } = require('yaml') as typeof import('yaml');
  const file = (name: string) => join(dir, name);
  const doc = existsSync(file('values.yaml')) ? parseDocument(readFileSync(file('values.yaml'), 'utf8')) : undefined;
  const values = doc?.toJS({ maxAliasCount: -1 }) ?? {};
  const schema = existsSync(file('values.schema.json')) ? (JSON.parse(readFileSync(file('values.schema.json'), 'utf8')) as ValuesSchema) : undefined;
  const meta = existsSync(file('Chart.yaml'))
    ? (parse(readFileSync(file('Chart.yaml'), 'utf8')) as { dependencies?: { name: string; alias?: string }[] } | null)
    : null;
  const subcharts = new Map<string, ChartDefaults>();
  const chartsDir = file('charts');
  if (existsSync(chartsDir)) {
    for (const name of readdirSync(chartsDir).sort()) {
      if (!statSync(join(chartsDir, name)).isDirectory()) continue;
      const deps = meta?.dependencies?.filter((d) => d.name === name) ?? [];
      // A dependency used twice under two aliases has its values under each alias.
      for (const key of deps.length > 0 ? deps.map((d) => d.alias ?? d.name) : [name]) {
        subcharts.set(key, readChartDefaults(join(chartsDir, name), `${label} subchart ${name}`));
      }
    }
  }
  return { chart: label, values, schema, subcharts, documented: doc ? documentedKeys(doc.contents) : new Map() };
}

/** A comment line that is a commented-out key (`# configSecret:`, `#   podLabels: {}`) at the map's own indentation. */
const COMMENTED_KEY = /^ ?([A-Za-z_][\w./-]*):(\s|$)/;

/**
 * The keys each map of a `values.yaml` documents in comments: charts list optional keys they read but do not
 * default as commented-out examples. By path (`documentedKey`).
 */
export function documentedKeys(root: unknown): Map<string, string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isMap, isScalar } = require('yaml') as typeof import('yaml');
  const out = new Map<string, string[]>();
  const walk = (node: unknown, path: string[]) => {
    if (!isMap(node)) return;
    const comments = [node.commentBefore, node.comment, ...node.items.map((i) => (i.key as { commentBefore?: string } | null)?.commentBefore)];
    const keys = comments.flatMap((c) => (c ?? '').split('\n')).flatMap((line) => {
      const m = COMMENTED_KEY.exec(line);
      return m ? [m[1]] : [];
    });
    if (keys.length > 0) out.set(documentedKey(path), [...new Set(keys)]);
    for (const item of node.items) if (isScalar(item.key)) walk(item.value, [...path, String(item.key.value)]);
  };
  walk(root, []);
  return out;
}

/** `readChartDefaults` of a chart archive (`.tgz`): only its values, schemas and Chart.yaml files are unpacked. */
export function chartArchiveDefaults(archive: string, name: string, label: string): ChartDefaults {
  const scratch = mkdtempSync(join(tmpdir(), 'chart-defaults-'));
  try {
    const r = spawnSync('tar', ['-xzf', archive, '-C', scratch, '--wildcards', '*/values.yaml', '*/values.schema.json', '*/Chart.yaml'], { encoding: 'utf8' });
    // tar exits 2 when a pattern matched nothing (a chart without a schema); the values.yaml check below decides.
    if (r.status !== 0 && !existsSync(join(scratch, name, 'Chart.yaml'))) throw new ConfigError(`cannot read the values of ${archive}: tar: ${r.stderr.trim()}`);
    return readChartDefaults(join(scratch, name), label);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
