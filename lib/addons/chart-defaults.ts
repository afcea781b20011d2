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
  const { parse } = require('yaml') as typeof import('yaml');
  const file = (name: string) => join(dir, name);
  const text = existsSync(file('values.yaml')) ? readFileSync(file('values.yaml'), 'utf8') : '';
  const values = parse(text, { maxAliasCount: -1 }) ?? {};
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
  return { chart: label, values, schema, subcharts, documented: documentedKeys(text) };
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

/** A comment that is a commented-out key: `# configSecret:` with the `#` where the map's keys start. */
const COMMENTED_KEY = /^#+ ?([A-Za-z_][\w./-]*):(\s|$)/;

/**
 * The keys each block map of a `values.yaml` documents as commented-out examples, by path (`documentedKey`):
 * charts list optional keys they read but do not default that way. A comment counts for a map only when its
 * `#` stands in the column of the map's keys, within the map (up to the next line indented less), so an
 * example nested deeper (`#   drop:`) or below another key is not taken for a key of the map.
 */
export function documentedKeys(text: string): Map<string, string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isMap, isScalar, parseDocument } = require('yaml') as typeof import('yaml');
  const lines = text.split('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const lineOf = (at: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const out = new Map<string, string[]>();
  const walk = (node: unknown, path: string[]) => {
    if (!isMap(node) || node.flow || node.items.length === 0) return;
    const first = node.items[0].key as { range?: [number, number, number] } | null;
    if (!first?.range) return;
    const firstLine = lineOf(first.range[0]);
    const column = first.range[0] - starts[firstLine];
    const keys: string[] = [];
    for (let i = firstLine; i < lines.length; i++) {
      const line = lines[i];
      const indent = line.length - line.trimStart().length;
      if (line.trim() === '') continue;
      if (!line.trimStart().startsWith('#') && indent < column) break;
      if (indent !== column) continue;
      const m = COMMENTED_KEY.exec(line.slice(column));
      if (m) keys.push(m[1]);
    }
    if (keys.length > 0) out.set(documentedKey(path), [...new Set(keys)]);
    for (const item of node.items) if (isScalar(item.key)) walk(item.value, [...path, String(item.key.value)]);
  };
  walk(parseDocument(text).contents, []);
  return out;
}
