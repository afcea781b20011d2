import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readVendoredCrds, VENDORED_CRDS_DIR } from '../lib/addons/vendored-crds';
import { ARGOCD_VERSION } from '../lib/addons/argocd-version';

/**
 * The kubeconform schemas the rendered output needs, pinned in `schemas/`: one JSON schema per Kubernetes kind
 * used, for each Kubernetes version we validate against, and one per custom resource kind used, taken from the
 * CRD at the version the clusters install. `npm run schemas` writes them; `test/schemas.test.ts` fails when the
 * output uses a kind that is not pinned or the pinned files differ from what this module computes.
 *
 * Everything here is computed from named, local sources (the schema and chart mirrors next to the repository,
 * which mirror the upstream locations), never from the network.
 */

/** Kubernetes versions the output is validated against: the API level of cdk8s-plus-27, and a current EKS version. */
export const KUBERNETES_VERSIONS = ['1.27.0', '1.35.0'] as const;

/** Where the pinned schemas live, relative to the repository root. */
export const SCHEMA_DIR = 'schemas';

/** Folders of rendered output whose kinds need schemas. */
export const OUTPUT_DIRS = ['dist', 'argocd'] as const;

/**
 * Where the CRDs of each custom resource group come from. A CRD the output ships itself (a Helm-rendered add-on
 * with its CRDs) wins over this table. `chart`: the CRD YAMLs inside the chart's package in the chart mirror, at
 * the version the add-on Applications in `argocd/` install. `dir`: CRD YAMLs in the schema mirror's `crd-yaml/`,
 * `{version}` replaced by that chart version when `chart` names one.
 */
export interface CrdSource {
  readonly groups: readonly string[];
  /** What installs these CRDs in the clusters, for the record in `schemas/sources.json`. */
  readonly installedBy: string;
  /** Chart whose Argo CD Application (in `argocd/`) gives the installed version. */
  readonly chart?: string;
  /** Folder inside the chart package holding plain CRD YAMLs. */
  readonly chartCrds?: string;
  /** Folder below the schema mirror's `crd-yaml/` (used when the chart's CRDs are Helm templates). */
  readonly dir?: string;
  /** A set of CRDs vendored into the repository (`addons/crds/<set>/`, verified against its manifest) and its version. */
  readonly vendored?: { readonly set: string; readonly version: string };
}

export const CRD_SOURCES: readonly CrdSource[] = [
  {
    groups: ['argoproj.io'],
    installedBy: `Argo CD ${ARGOCD_VERSION} (lib/addons/argocd-version.ts)`,
    vendored: { set: 'argo-cd', version: ARGOCD_VERSION },
  },
  {
    groups: ['external-secrets.io'],
    installedBy: 'add-on external-secrets (chart version = app version; the chart templates its CRDs)',
    chart: 'external-secrets',
    dir: 'external-secrets-v{version}',
  },
  {
    groups: ['monitoring.coreos.com'],
    installedBy: 'add-on kube-prometheus-stack',
    chart: 'kube-prometheus-stack',
    chartCrds: 'kube-prometheus-stack/charts/crds/crds',
  },
  {
    groups: ['karpenter.sh', 'karpenter.k8s.aws'],
    installedBy: 'add-on karpenter',
    chart: 'karpenter',
    chartCrds: 'karpenter/crds',
  },
];

export interface SchemaSources {
  /** The schema mirror: `kubernetes/v<version>-standalone-strict/*.json` and `crd-yaml/`. */
  readonly schemaMirror: string;
  /** The Helm chart mirror: `<chart>-<version>.tgz`. */
  readonly chartMirror: string;
}

/** The default sources: the mirrors next to the repository, as on CI. */
export function defaultSources(root: string): SchemaSources {
  return { schemaMirror: resolve(root, '../shared/schemas'), chartMirror: resolve(root, '../shared/charts') };
}

/** One kind the output uses. */
export interface UsedKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/** A schema file as kubeconform looks it up, relative to `schemas/`. */
export interface PlannedSchema {
  readonly path: string;
  readonly content: string;
  readonly source: string;
}

const CORE_GROUPS = /^(|[a-z]+|[a-z.]+\.k8s\.io)$/;

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * Is this a kind of the Kubernetes API itself: a group without dots or below `k8s.io`, unless CRDs define it
 * (the Gateway API's `gateway.networking.k8s.io`, say)?
 */
export function isKubernetesKind(apiVersion: string, crdGroups: ReadonlySet<string> = new Set()): boolean {
  const { group } = splitApiVersion(apiVersion);
  return CORE_GROUPS.test(group) && !crdGroups.has(group);
}

/** The file name kubeconform's `{{.ResourceKind}}{{.KindSuffix}}.json` gives a Kubernetes kind. */
export function kubernetesSchemaFile(u: UsedKind): string {
  const { group, version } = splitApiVersion(u.apiVersion);
  const suffix = group === '' ? `-${version}` : `-${group.split('.')[0]}-${version}`;
  return `${u.kind.toLowerCase()}${suffix}.json`;
}

/** The path kubeconform's `{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json` gives a custom resource kind. */
export function crdSchemaFile(u: UsedKind): string {
  const { group, version } = splitApiVersion(u.apiVersion);
  return `crds/${group}/${u.kind.toLowerCase()}_${version}.json`;
}

function listYaml(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listYaml(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

function parseYamlObjects(text: string, where: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value && typeof value === 'object') objects.push(value as Record<string, unknown>);
  }
  return objects;
}

const outputCache = new Map<string, { key: string; objects: { file: string; object: Record<string, unknown> }[] }>();

/** Every object of the rendered output (`dist/` and `argocd/`); parsed again only when a file changed. */
/** One object of the committed output and the file it is in, relative to the repository. */
export interface OutputObject {
  readonly file: string;
  readonly object: Record<string, unknown>;
}

export function readOutput(root: string): OutputObject[] {
  const files = OUTPUT_DIRS.flatMap((dir) => listYaml(join(root, dir)));
  const key = files.map((f) => `${f}:${statSync(f).mtimeMs}`).join('\n');
  const cached = outputCache.get(root);
  if (cached?.key === key) return cached.objects;
  const objects = parseOutput(root);
  outputCache.set(root, { key, objects });
  return objects;
}

function parseOutput(root: string): { file: string; object: Record<string, unknown> }[] {
  const out: { file: string; object: Record<string, unknown> }[] = [];
  // The environments share most files byte for byte (the add-ons' large CRDs): each text is parsed once.
  const parsed = new Map<string, Record<string, unknown>[]>();
  for (const dir of OUTPUT_DIRS) {
    for (const file of listYaml(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      let objects = parsed.get(text);
      if (objects === undefined) parsed.set(text, (objects = parseYamlObjects(text, file)));
      for (const object of objects) out.push({ file: relative(root, file), object });
    }
  }
  return out;
}

/** The distinct (apiVersion, kind) pairs of the output that kubeconform validates (CRDs themselves are skipped). */
export function usedKinds(objects: readonly { object: Record<string, unknown> }[]): UsedKind[] {
  const seen = new Map<string, UsedKind>();
  for (const { object } of objects) {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    if (kind === 'CustomResourceDefinition') continue;
    seen.set(`${apiVersion} ${kind}`, { apiVersion, kind });
  }
  return [...seen.values()].sort((a, b) => `${a.apiVersion} ${a.kind}`.localeCompare(`${b.apiVersion} ${b.kind}`));
}

/** The chart versions the add-on Applications in `argocd/` install, by chart name. */
export function installedChartVersions(objects: readonly { file: string; object: Record<string, unknown> }[]): Map<string, Map<string, string>> {
  const versions = new Map<string, Map<string, string>>();
  for (const { file, object } of objects) {
    if (object.kind !== 'Application') continue;
    const spec = object.spec as { source?: { chart?: string; targetRevision?: string }; sources?: { chart?: string; targetRevision?: string }[] } | undefined;
    for (const source of [spec?.source, ...(spec?.sources ?? [])]) {
      if (!source?.chart || !source.targetRevision) continue;
      const byVersion = versions.get(source.chart) ?? new Map<string, string>();
      if (!byVersion.has(source.targetRevision)) byVersion.set(source.targetRevision, file);
      versions.set(source.chart, byVersion);
    }
  }
  return versions;
}

/** Removes the human-readable `description`s (they do not validate anything and are most of a schema's bytes). */
function withoutDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' && typeof v === 'string') continue;
    out[k] = withoutDescriptions(v);
  }
  return out;
}

/**
 * A CRD version's OpenAPI v3 schema as a strict JSON schema, the way kubeconform's strict schemas are made:
 * an object with `properties` and no word on other fields admits no other fields (as the API server's strict
 * field validation does), unless it preserves unknown fields; `nullable` admits null.
 */
export function strictSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (node === null || typeof node !== 'object') return node;
  const schema = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'description' && typeof v === 'string') continue;
    if (k === 'nullable') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, strictSchema(s)]));
    } else if (['items', 'additionalProperties', 'not'].includes(k) || ['allOf', 'anyOf', 'oneOf'].includes(k)) {
      out[k] = strictSchema(v);
    } else {
      out[k] = v;
    }
  }
  if (schema.properties && !('additionalProperties' in schema) && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (schema.nullable === true && typeof schema.type === 'string') out.type = [schema.type, 'null'];
  return out;
}

function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
  };
  return `${JSON.stringify(sort(value), null, 1)}\n`;
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A CRD and where it was read. */
interface CrdDocument {
  readonly crd: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly source: string;
}

/** A file of CRD YAMLs, parsed only when it may hold a wanted kind (some CRDs are megabytes). */
class CrdFile {
  private parsed?: CrdDocument[];
  constructor(readonly text: string, readonly source: string) {}
  find(group: string, kind: string): CrdDocument | undefined {
    if (!this.text.includes(group) || !new RegExp(`^\\s+kind: ['"]?${kind}['"]?\\s*$`, 'm').test(this.text)) return undefined;
    this.parsed ??= crdsOf(parseYamlObjects(this.text, this.source)).map((crd) => ({ crd, source: this.source }));
    return this.parsed.find((d) => d.crd.spec?.group === group && d.crd.spec?.names?.kind === kind);
  }
}

function tar(args: string[]): string {
  const r = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

function crdsOf(objects: Record<string, unknown>[]): Record<string, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return objects.filter((o) => o.kind === 'CustomResourceDefinition');
}

/** Reads the CRDs of one source entry. Missing inputs are errors that say what to do. */
function readSource(root: string, source: CrdSource, sources: SchemaSources, charts: Map<string, Map<string, string>>): CrdFile[] {
  let version: string | undefined;
  if (source.chart) {
    const installed = charts.get(source.chart);
    if (!installed || installed.size === 0) return []; // not installed anywhere: its kinds cannot be used either
    if (installed.size > 1) {
      throw new Error(
        `the environments install different versions of chart ${source.chart} (${[...installed].map(([v, f]) => `${v} in ${f}`).join(', ')}); ` +
          'kubeconform keys schemas by group, kind and version only, so they must agree on the CRDs',
      );
    }
    version = [...installed.keys()][0];
  }
  if (source.chartCrds) {
    const tgz = join(sources.chartMirror, `${source.chart}-${version}.tgz`);
    if (!existsSync(tgz)) throw new Error(`${tgz} is missing: the chart mirror has no ${source.chart} ${version}`);
    // One decompression of the package: only its CRD folder is extracted.
    const work = mkdtempSync(join(tmpdir(), 'schemas-'));
    try {
      tar(['-xzf', tgz, '-C', work, '--wildcards', `${source.chartCrds}/*`]);
      const files = listYaml(join(work, source.chartCrds));
      if (files.length === 0) throw new Error(`${tgz} has no CRD YAMLs under ${source.chartCrds}/`);
      return files.map((f) => new CrdFile(readFileSync(f, 'utf8'), `shared/charts/${source.chart}-${version}.tgz:${relative(work, f)}`));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  if (source.vendored) {
    const crds = readVendoredCrds(root, source.vendored.set, source.vendored.version);
    return crds.files.map((f) => new CrdFile(f.text, `${VENDORED_CRDS_DIR}/${source.vendored!.set}/${f.name} (${crds.manifest.source.goModule})`));
  }
  const dir = source.dir!.replace('{version}', version ?? '');
  const path = join(sources.schemaMirror, 'crd-yaml', dir);
  if (!existsSync(path)) throw new Error(`${path} is missing: the schema mirror has no CRDs for ${source.groups.join(', ')}`);
  return listYaml(path).map((f) => new CrdFile(readFileSync(f, 'utf8'), `shared/schemas/crd-yaml/${dir}/${relative(path, f)}`));
}

/**
 * Computes every file of `schemas/`: the Kubernetes schemas of the kinds used for each version, the CRD schemas
 * of the custom resource kinds used, and `sources.json` recording where each came from. Throws with what to do
 * when a kind has no schema in the sources.
 */
/**
 * @param output the objects of `dist/` and `argocd/`; tests pass the render they share instead of parsing the files again
 * @default readOutput(root)
 */
export function planSchemas(root: string, sources: SchemaSources = defaultSources(root), output?: readonly OutputObject[]): PlannedSchema[] {
  const objects = output ?? readOutput(root);
  const kinds = usedKinds(objects);
  const charts = installedChartVersions(objects);
  const planned: PlannedSchema[] = [];
  const problems: string[] = [];

  const shipped = crdsOf(objects.map((o) => o.object)).map((crd, i) => ({ crd, source: `output: ${objects.filter((o) => o.object.kind === 'CustomResourceDefinition')[i].file}` }));
  const crdGroups = new Set<string>([...CRD_SOURCES.flatMap((s) => s.groups), ...shipped.map((d) => String(d.crd.spec?.group))]);

  for (const version of KUBERNETES_VERSIONS) {
    const folder = `kubernetes/v${version}-standalone-strict`;
    for (const u of kinds.filter((k) => isKubernetesKind(k.apiVersion, crdGroups))) {
      const file = kubernetesSchemaFile(u);
      const from = join(sources.schemaMirror, folder, file);
      if (!existsSync(from)) {
        problems.push(`${u.apiVersion} ${u.kind}: no schema for Kubernetes ${version} (${from} does not exist)`);
        continue;
      }
      const text = readFileSync(from, 'utf8');
      planned.push({ path: `${folder}/${file}`, content: stableJson(withoutDescriptions(JSON.parse(text))), source: `shared/schemas/${folder}/${file} sha256:${sha256(text)}` });
    }
  }

  const custom = kinds.filter((k) => !isKubernetesKind(k.apiVersion, crdGroups));
  const bySource = new Map<CrdSource, CrdFile[]>();
  for (const u of custom) {
    const { group, version } = splitApiVersion(u.apiVersion);
    let found = shipped.find((d) => d.crd.spec?.group === group && d.crd.spec?.names?.kind === u.kind);
    if (!found) {
      const source = CRD_SOURCES.find((s) => s.groups.includes(group));
      if (!source) {
        problems.push(`${u.apiVersion} ${u.kind}: no source for CRD group ${group}; add it to CRD_SOURCES in scripts/schemas.ts`);
        continue;
      }
      try {
        if (!bySource.has(source)) bySource.set(source, readSource(root, source, sources, charts));
      } catch (e) {
        problems.push(`${u.apiVersion} ${u.kind}: ${(e as Error).message}`);
        continue;
      }
      for (const file of bySource.get(source)!) found ??= file.find(group, u.kind);
      if (!found) {
        problems.push(`${u.apiVersion} ${u.kind}: the CRDs of ${source.installedBy} have no kind ${u.kind} in group ${group}`);
        continue;
      }
    }
    const served = (found.crd.spec.versions as { name: string; served?: boolean; schema?: { openAPIV3Schema?: unknown } }[]).find((v) => v.name === version);
    if (!served?.served || !served.schema?.openAPIV3Schema) {
      problems.push(`${u.apiVersion} ${u.kind}: ${found.source} does not serve version ${version} with a schema`);
      continue;
    }
    planned.push({ path: crdSchemaFile(u), content: stableJson(strictSchema(served.schema.openAPIV3Schema)), source: found.source });
  }

  if (problems.length > 0) throw new Error(`cannot pin the schemas the output needs:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const record = {
    comment: 'Generated by `npm run schemas` (scripts/pin-schemas.ts) from the mirrors next to the repository; do not edit.',
    kubernetesVersions: KUBERNETES_VERSIONS,
    files: Object.fromEntries(planned.map((p) => [p.path, p.source])),
  };
  planned.push({ path: 'sources.json', content: stableJson(record), source: 'scripts/schemas.ts' });
  return planned.sort((a, b) => a.path.localeCompare(b.path));
}

/** The files currently in `schemas/`, by path relative to it (the license notice excepted). */
export function pinnedFiles(root: string): Map<string, string> {
  const dir = join(root, SCHEMA_DIR);
  const out = new Map<string, string>();
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json')) out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}
