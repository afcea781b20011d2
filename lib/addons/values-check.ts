import { ConfigError } from '../errors';

/** The part of a JSON schema (a chart's `values.schema.json`) that says which keys an object has. */
export interface ValuesSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, ValuesSchema>>;
  readonly patternProperties?: Readonly<Record<string, ValuesSchema>>;
  readonly additionalProperties?: boolean | ValuesSchema;
  readonly anyOf?: readonly ValuesSchema[];
  readonly oneOf?: readonly ValuesSchema[];
  readonly allOf?: readonly ValuesSchema[];
  readonly $ref?: string;
  readonly definitions?: Readonly<Record<string, ValuesSchema>>;
  readonly $defs?: Readonly<Record<string, ValuesSchema>>;
}

/** What a chart accepts as values: its defaults, its schema if it ships one, and its subcharts' by values key. */
export interface ChartDefaults {
  /** `<name> <version>`, for messages. */
  readonly chart: string;
  /** The parsed `values.yaml`. */
  readonly values: unknown;
  /** The parsed `values.schema.json`, when the chart has one. */
  readonly schema?: ValuesSchema;
  /** Subcharts by the key their values live under (the dependency's alias, else its name). */
  readonly subcharts: ReadonlyMap<string, ChartDefaults>;
  /**
   * Keys documented as commented-out examples in `values.yaml` (`# configSecret:`), by the path of the map
   * they are written in (`documentedKey`). @default none
   */
  readonly documented?: ReadonlyMap<string, readonly string[]>;
}

/** A key path our values set that the chart does not know. */
export interface UnknownValue {
  /** The full path, `grafana.sidecar.dashbords`. */
  readonly path: string;
  /** The last segment, the one the chart does not know. */
  readonly key: string;
  /** The allowed keys at that level closest to `key`, best first. */
  readonly nearest: readonly string[];
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A default that admits any keys below it: an empty map or null (`podAnnotations: {}`, `nodeSelector: null`). */
const isFreeFormDefault = (v: unknown) => v === null || (isMap(v) && Object.keys(v).length === 0);

/** Resolves `#/definitions/x` and `#/$defs/x` against the schema's root; other references are left free-form. */
function resolveRef(schema: ValuesSchema, root: ValuesSchema): ValuesSchema | undefined {
  if (!schema.$ref) return schema;
  const m = /^#\/(definitions|\$defs)\/(.+)$/.exec(schema.$ref);
  if (!m) return undefined;
  const target = (m[1] === 'definitions' ? root.definitions : root.$defs)?.[m[2]];
  return target ? resolveRef(target, root) : undefined;
}

/** What a schema node says about the keys of an object: known keys with their schemas, or free-form. */
interface SchemaKeys {
  readonly free: boolean;
  readonly keys: ReadonlyMap<string, ValuesSchema[]>;
}

function schemaKeys(node: ValuesSchema | undefined, root: ValuesSchema): SchemaKeys {
  const resolved = node && resolveRef(node, root);
  if (!resolved) return { free: true, keys: new Map() };
  const keys = new Map<string, ValuesSchema[]>();
  let free = false;
  const branches = [...(resolved.anyOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.allOf ?? [])];
  for (const branch of branches) {
    const sub = schemaKeys(branch, root);
    if (sub.free) free = true;
    for (const [k, v] of sub.keys) keys.set(k, [...(keys.get(k) ?? []), ...v]);
  }
  for (const [k, v] of Object.entries(resolved.properties ?? {})) keys.set(k, [...(keys.get(k) ?? []), v]);
  const declaresKeys = resolved.properties !== undefined || branches.length > 0;
  // An object schema with additional properties allowed, pattern properties or no property list is a map.
  if (resolved.additionalProperties !== undefined && resolved.additionalProperties !== false) free = true;
  if (resolved.patternProperties !== undefined) free = true;
  if (!declaresKeys && resolved.additionalProperties !== false) free = true;
  return { free, keys };
}

/** Levenshtein distance, for suggesting the key that was meant. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The allowed keys closest to `key`: by edit distance, then alphabetically; at most `count`. */
export function nearestKeys(key: string, allowed: Iterable<string>, count = 3): string[] {
  return [...new Set(allowed)]
    .map((k) => ({ k, d: editDistance(key, k) }))
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, count)
    .map((x) => x.k);
}

/** A default map of one chart (the add-on's or a subchart) at a path of that chart's values. */
interface DefaultMap {
  readonly value: Json;
  readonly chart: ChartDefaults;
  readonly path: readonly string[];
}

/** One level of what a chart knows at a path: default maps (the chart's and its subcharts'), schemas, subcharts. */
interface Level {
  readonly defaults: readonly DefaultMap[];
  readonly schemas: readonly { readonly node: ValuesSchema; readonly root: ValuesSchema }[];
  /** Charts whose subcharts' values start at this level. */
  readonly subcharts: readonly ChartDefaults[];
}

const levelOf = (chart: ChartDefaults): Level => ({
  defaults: isMap(chart.values) ? [{ value: chart.values, chart, path: [] }] : [],
  schemas: chart.schema ? [{ node: chart.schema, root: chart.schema }] : [],
  subcharts: [chart],
});

/** Key of `ChartDefaults.documented`: the path segments of a map in the chart's values. */
export const documentedKey = (path: readonly string[]) => path.join('\n');

/**
 * Kubernetes API objects charts copy verbatim into their manifests (`toYaml`): their fields belong to the
 * Kubernetes API, not the chart, and the rendered output is validated against the API's strict schemas
 * (kubeconform), so only the key itself is checked here.
 */
export const KUBERNETES_OBJECT_KEYS: ReadonlySet<string> = new Set(['resources', 'securityContext', 'containerSecurityContext', 'podSecurityContext']);

/**
 * Every key path of `values` the chart does not accept. A path is known when the chart's defaults (or a
 * subchart's, for keys under the dependency's name) have it, when a commented-out key in the defaults
 * documents it (`# configSecret:`), or when the chart's schema lists it. Below a known key anything goes when
 * it is free-form: an empty map or null default, a schema object open to any keys, a Kubernetes object the
 * chart copies verbatim (KUBERNETES_OBJECT_KEYS), or a path in `freeForm` (full paths the add-on documents as
 * maps the chart passes through, e.g. `configs.cm`). Lists and scalars are leaves. Pure: no files, no Helm.
 */
export function unknownValues(values: Readonly<Record<string, unknown>>, chart: ChartDefaults, freeForm: readonly string[] = []): UnknownValue[] {
  const problems: UnknownValue[] = [];
  const documented = (d: DefaultMap) => d.chart.documented?.get(documentedKey(d.path)) ?? [];
  const walk = (value: Json, level: Level, path: readonly string[]) => {
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      const here = [...path, key];
      const defaults = level.defaults.filter((d) => key in d.value).map((d) => ({ ...d, value: d.value[key], path: [...d.path, key] }));
      const isDocumented = level.defaults.some((d) => documented(d).includes(key));
      const schemaHits = level.schemas.flatMap(({ node, root }) => (schemaKeys(node, root).keys.get(key) ?? []).map((n) => ({ node: n, root })));
      const subcharts = level.subcharts.flatMap((c) => {
        const sub = c.subcharts.get(key);
        return sub ? [sub] : [];
      });
      // Helm hands `global` to every subchart: the subcharts' globals count as the parent's.
      const globals: DefaultMap[] = key === 'global'
        ? level.subcharts.flatMap((c) => [...c.subcharts.values()]).flatMap((s) => (isMap(s.values) && isMap(s.values.global) ? [{ value: s.values.global, chart: s, path: ['global'] }] : []))
        : [];
      const openSchema = level.schemas.some(({ node, root }) => schemaKeys(node, root).free);
      const known = defaults.length > 0 || isDocumented || schemaHits.length > 0 || subcharts.length > 0 || globals.length > 0;
      if (!known) {
        if (openSchema) continue;
        const allowed = [
          ...level.defaults.flatMap((d) => [...Object.keys(d.value), ...documented(d)]),
          ...level.schemas.flatMap(({ node, root }) => [...schemaKeys(node, root).keys.keys()]),
          ...level.subcharts.flatMap((c) => [...c.subcharts.keys()]),
        ];
        problems.push({ path: here.join('.'), key, nearest: nearestKeys(key, allowed) });
        continue;
      }
      if (!isMap(child)) continue;
      if (freeForm.includes(here.join('.')) || KUBERNETES_OBJECT_KEYS.has(key)) continue;
      // Below a free-form default or an open schema anything goes, unless a subchart's values start here.
      const openHit = schemaHits.some(({ node, root }) => { const k = schemaKeys(node, root); return k.free && k.keys.size === 0; });
      if (subcharts.length === 0 && (defaults.some((d) => isFreeFormDefault(d.value)) || openHit)) continue;
      const maps: DefaultMap[] = defaults.flatMap((d) => (isMap(d.value) ? [{ ...d, value: d.value }] : []));
      const next: Level = {
        defaults: [...maps, ...globals, ...subcharts.flatMap((s) => (isMap(s.values) ? [{ value: s.values, chart: s, path: [] }] : []))],
        schemas: [...schemaHits, ...subcharts.flatMap((s) => (s.schema ? [{ node: s.schema, root: s.schema }] : []))],
        subcharts,
      };
      // A key known only from a comment, or whose default is a scalar or a list, says nothing about keys below it.
      if (next.defaults.length === 0 && next.schemas.length === 0) continue;
      walk(child, next, here);
    }
  };
  walk(values as Json, levelOf(chart), []);
  return problems;
}

/**
 * Refuses values with keys the chart does not know, before Helm would silently ignore them: the message
 * names the environment, the add-on, each full key path, the bad key and the closest allowed keys.
 */
export function checkValues(env: string, addon: string, values: Readonly<Record<string, unknown>>, chart: ChartDefaults, freeForm: readonly string[] = []): void {
  const problems = unknownValues(values, chart, freeForm);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  - ${p.path}: the chart has no key '${p.key}' here${p.nearest.length ? ` (nearest allowed: ${p.nearest.join(', ')})` : ''}`);
  throw new ConfigError(
    `environment ${env}: add-on ${addon}: values the chart ${chart.chart} does not know (Helm would ignore them silently):\n${lines.join('\n')}\n` +
      "  fix the key in the add-on's values in lib/addons/catalog.ts (the chart's values.yaml lists what it accepts)",
  );
}
