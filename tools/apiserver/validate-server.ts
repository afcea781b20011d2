// validate:server — proves every rendered object against a real kube-apiserver (built from Go modules by
// tools/apiserver/build.sh). Starts etcd + kube-apiserver on loopback, installs the CRDs the output uses,
// creates the namespaces for real, then `kubectl apply --dry-run=server` of every object in dist/<env>/ and
// argocd/. Any error, and any warning not named in tools/apiserver/allowlist.yaml, fails the run.
//
//   node scripts/run.mjs tools/apiserver/validate-server.ts [--self-test] [--no-self-test] [--concurrency=N]
//
// Environment: CRD_YAML_DIR (default ../shared/schemas/crd-yaml from the repository root).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AllowEntry, Finding, findAllowance, loadAllowList } from './allowlist';
import { Cluster, RunResult, startCluster } from './cluster';
import { exitWithUsage, parseCommandLine } from '../../cli/args';

const EXPECT_ANNOTATION = 'validate-server.test/expect';
const FIELD_MANAGER = 'validate-server';

type KObject = Record<string, any>;

interface Obj {
  group: string;
  file: string; // relative to the repository root
  doc: number;
  body: KObject;
  kind: string;
  apiGroup: string;
  name: string;
  namespace: string;
  /** Self-test fixtures: the message fragment the server must report for this object. */
  expect?: string;
}

interface Group {
  name: string;
  dir: string;
  objects: Obj[];
  /** Problems found before talking to the server (unparseable YAML, objects without kind). */
  parseFindings: Finding[];
}

interface ObjResult {
  obj: Obj;
  findings: Finding[];
}

// ---------------------------------------------------------------------------------------------- helpers

function findRoot(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'tools', 'apiserver', 'build.sh'))) return d;
    if (dirname(d) === d) return process.cwd();
  }
}

const root = findRoot();
const rel = (p: string) => relative(root, p) || '.';
const log = (msg: string) => console.log(msg);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function yamlFiles(dir: string, recursive = true): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (recursive) walk(p);
      }
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function apiGroupOf(apiVersion: unknown): string {
  const v = String(apiVersion ?? '');
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

function loadGroup(name: string, dir: string, recursive = true): Group {
  const g: Group = { name, dir, objects: [], parseFindings: [] };
  for (const path of yamlFiles(dir, recursive)) {
    const file = rel(path);
    const docs = parseAllDocuments(readFileSync(path, 'utf8'));
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((d, i) => {
      const bad = (message: string) =>
        g.parseFindings.push({ group: name, file, kind: '?', name: `document ${i + 1}`, namespace: '', severity: 'error', message });
      if (d.errors.length > 0) return bad(`YAML: ${d.errors.map((e) => e.message).join('; ')}`);
      const body = d.toJS({ maxAliasCount: -1 }) as unknown;
      if (body === null || body === undefined) return undefined;
      if (typeof body !== 'object' || Array.isArray(body)) return bad('document is not a mapping');
      const items: KObject[] = (body as KObject).kind === 'List' && Array.isArray((body as KObject).items) ? (body as KObject).items : [body];
      for (const o of items) {
        if (typeof o?.kind !== 'string' || typeof o?.apiVersion !== 'string') {
          bad('object without apiVersion/kind');
          continue;
        }
        const expect = o.metadata?.annotations?.[EXPECT_ANNOTATION];
        g.objects.push({
          group: name,
          file,
          doc: i,
          body: o,
          kind: o.kind,
          apiGroup: apiGroupOf(o.apiVersion),
          name: String(o.metadata?.name ?? o.metadata?.generateName ?? '(no name)'),
          namespace: typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : '',
          expect: typeof expect === 'string' ? expect : undefined,
        });
      }
      return undefined;
    });
  }
  return g;
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** Splits kubectl's stderr into warnings ("Warning: ...") and the error text. */
function findingsOf(obj: Obj, r: RunResult): Finding[] {
  const base = { group: obj.group, file: obj.file, kind: obj.kind, name: obj.name, namespace: obj.namespace };
  const lines = r.stderr.split('\n');
  const findings: Finding[] = lines
    .filter((l) => l.startsWith('Warning: '))
    .map((l) => ({ ...base, severity: 'warning' as const, message: l.slice('Warning: '.length).trim() }));
  const errorText = lines
    .filter((l) => !l.startsWith('Warning: ') && l.trim() !== '')
    .join('\n')
    .replace(/error when (creating|patching|retrieving current configuration of)[^:]*"STDIN": /g, '')
    .replace(/^Error from server \((\w+)\): /gm, '($1) ')
    .replace(/^error: /gm, '')
    .trim();
  if (r.code !== 0) findings.push({ ...base, severity: 'error', message: errorText || `kubectl exited ${r.code}` });
  return findings;
}

// ---------------------------------------------------------------------------------------------- CRDs

interface CrdSource {
  file: string;
  body: KObject;
}

function loadCrdIndex(dir: string): Map<string, CrdSource> {
  const index = new Map<string, CrdSource>();
  for (const path of yamlFiles(dir)) {
    for (const d of parseAllDocuments(readFileSync(path, 'utf8')) as ReturnType<typeof parseAllDocuments> & unknown[]) {
      const body = d.toJS({ maxAliasCount: -1 }) as KObject | null;
      if (body?.kind !== 'CustomResourceDefinition') continue;
      index.set(`${body.spec?.group}/${body.spec?.names?.kind}`, { file: path, body });
    }
  }
  return index;
}

/**
 * Structural-schema fixes for CRDs that the API server refuses as-is. The only one needed for the offline
 * CRD set: `additionalProperties: false` beside `properties` (JSON-Schema style, from the datree catalog's
 * strict schemas) — a structural schema forbids both on one node. Dropping it loses nothing here, because
 * kubectl sends fieldValidation=Strict: unknown fields are still errors.
 */
function normaliseCrd(crd: KObject): string[] {
  const fixes: string[] = [];
  const walk = (s: unknown, path: string) => {
    if (typeof s !== 'object' || s === null) return;
    if (Array.isArray(s)) return s.forEach((x, i) => walk(x, `${path}[${i}]`));
    const node = s as KObject;
    if (node.properties && node.additionalProperties === false) {
      delete node.additionalProperties;
      fixes.push(path);
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'x-kubernetes-validations' && k !== 'enum' && k !== 'default' && k !== 'example') walk(v, `${path}.${k}`);
  };
  for (const v of crd.spec?.versions ?? []) walk(v.schema?.openAPIV3Schema, `${v.name}`);
  return fixes;
}

/** "The CustomResourceDefinition "x" is invalid: \n* a: b\n* c: d" -> the distinct reasons, without paths. */
function summariseCrdError(stderr: string): string {
  const reasons = new Set(
    stderr
      .split(/\n|, (?=spec\.)/)
      .map((l) => l.replace(/^[*\s]+/, '').trim())
      .filter((l) => l.startsWith('spec.'))
      .map((l) => l.replace(/^spec\.[^:]*: /, '').replace(/^Forbidden: /, '')),
  );
  return reasons.size > 0 ? [...reasons].slice(0, 3).join('; ') : stderr.trim().split('\n')[0].slice(0, 300);
}

async function applyReal(cluster: Cluster, body: KObject): Promise<RunResult> {
  return cluster.kubectl(['apply', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], JSON.stringify(body));
}

async function installCrds(cluster: Cluster, crds: CrdSource[]): Promise<string[]> {
  const problems: string[] = [];
  for (const crd of crds) {
    const name = crd.body.metadata?.name;
    let r = await applyReal(cluster, crd.body);
    if (r.code !== 0) {
      const first = summariseCrdError(r.stderr);
      const copy = JSON.parse(JSON.stringify(crd.body)) as KObject;
      const fixes = normaliseCrd(copy);
      if (fixes.length > 0) {
        r = await applyReal(cluster, copy);
        log(
          `  note: CRD ${name} (${rel(crd.file)}) is not installable as-is (server: ${first});` +
            ` normalised in memory: dropped additionalProperties:false beside properties at ${fixes.length} schema nodes` +
            (r.code === 0 ? '' : ' — still refused'),
        );
      }
    }
    if (r.code !== 0) problems.push(`CRD ${name} (${rel(crd.file)}): ${r.stderr.trim()}`);
  }
  const names = crds.map((c) => `customresourcedefinition/${c.body.metadata?.name}`);
  if (names.length > 0 && problems.length === 0) {
    const w = await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...names]);
    if (w.code !== 0) problems.push(`CRDs not Established: ${w.stderr.trim()}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------- one group

async function validateGroup(cluster: Cluster, g: Group, concurrency: number): Promise<ObjResult[]> {
  const results: ObjResult[] = [];
  const isNs = (o: Obj) => o.kind === 'Namespace' && o.apiGroup === '';
  const isCrd = (o: Obj) => o.kind === 'CustomResourceDefinition' && o.apiGroup === 'apiextensions.k8s.io';
  const groupFinding = (message: string): ObjResult => ({
    obj: { group: g.name, file: rel(g.dir), doc: 0, body: {}, kind: '(setup)', apiGroup: '', name: '', namespace: '' },
    findings: [{ group: g.name, file: rel(g.dir), kind: '(setup)', name: '', namespace: '', severity: 'error', message }],
  });

  // 1. Namespaces for real, before anything else. Server-side apply with one field manager: a namespace
  // re-applied for this group loses the labels an earlier group gave it (each environment is its own cluster).
  const declared = g.objects.filter(isNs);
  const declaredNames = new Set(declared.map((o) => o.name));
  for (const o of declared) {
    const r = await applyReal(cluster, o.body);
    results.push({ obj: o, findings: findingsOf(o, r) });
    if (r.code !== 0) await applyReal(cluster, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.name } });
  }
  const referenced = [...new Set(g.objects.map((o) => o.namespace).filter((n) => n && !declaredNames.has(n)))].sort();
  for (const name of referenced) {
    const r = await applyReal(cluster, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    if (r.code !== 0) results.push(groupFinding(`cannot create namespace ${name} referenced by objects: ${r.stderr.trim()}`));
  }

  // 2. CRDs that the rendered output itself ships: installed for real (validated by that apply).
  const crds = g.objects.filter(isCrd);
  for (const o of crds) {
    const r = await applyReal(cluster, o.body);
    results.push({ obj: o, findings: findingsOf(o, r) });
  }
  if (crds.length > 0) {
    const w = await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((o) => `customresourcedefinition/${o.name}`)]);
    if (w.code !== 0) results.push(groupFinding(`CRDs not Established: ${w.stderr.trim()}`));
  }

  // 3. Bare Pods need their ServiceAccount to exist (ServiceAccount admission); no controller creates "default".
  if (g.objects.some((o) => o.kind === 'Pod' && o.apiGroup === '')) {
    const nss = new Set(['default', ...declaredNames, ...referenced]);
    const sas = g.objects.filter((o) => o.kind === 'ServiceAccount' && o.apiGroup === '');
    for (const ns of nss) {
      if (!sas.some((o) => o.name === 'default' && (o.namespace || 'default') === ns)) {
        await applyReal(cluster, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });
      }
    }
    for (const o of sas) {
      const r = await applyReal(cluster, o.body);
      results.push({ obj: o, findings: findingsOf(o, r) });
    }
  }

  // 4. Everything else: `kubectl apply --dry-run=server`, one call per file (a v1 List of its objects).
  // Warnings carry no object name, so a file whose call reports anything is re-run one object per call
  // and each warning/error is attributed exactly. A fresh discovery cache, warmed once, sees the new CRDs.
  const done = new Set(results.map((r) => r.obj));
  const rest = g.objects.filter((o) => !done.has(o));
  const cache = cluster.newCacheDir();
  await cluster.kubectl(['api-resources', '-o', 'name'], undefined, cache);
  const dryRun = (bodies: KObject[]) =>
    cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(bodies.length === 1 ? bodies[0] : { apiVersion: 'v1', kind: 'List', items: bodies }), cache);
  const batches: Obj[][] = [];
  for (const o of rest) {
    const last = batches[batches.length - 1];
    if (last && last[0].file === o.file && last.length < 25) last.push(o);
    else batches.push([o]);
  }
  const dry = await pool(batches, concurrency, async (batch): Promise<ObjResult[]> => {
    if (batch.length > 1) {
      const r = await dryRun(batch.map((o) => o.body));
      if (r.code === 0 && !/^Warning: /m.test(r.stderr)) return batch.map((o) => ({ obj: o, findings: [] }));
    }
    const out: ObjResult[] = [];
    for (const o of batch) out.push({ obj: o, findings: findingsOf(o, await dryRun([o.body])) });
    return out;
  });
  results.push(...dry.flat());
  return results;
}

// ---------------------------------------------------------------------------------------------- main

const spec = {
  usage: 'npm run validate:server -- [--self-test | --no-self-test | --check-crds] [--concurrency <n>]',
  description:
    'Builds kube-apiserver, etcd and kubectl if needed, starts them on 127.0.0.1, runs the self-test, then sends\n' +
    'everything in dist/<env>/ and argocd/<env>/ to the server (dry-run). CRDs come from CRD_YAML_DIR\n' +
    '(default ../shared/schemas/crd-yaml relative to the repository root).',
  options: {
    'self-test': { type: 'boolean', help: 'only the fixtures in tools/apiserver/testdata/ (known-bad must be reported, known-good must pass)' },
    'no-self-test': { type: 'boolean', help: 'skip the fixtures' },
    'check-crds': { type: 'boolean', help: 'only install every CRD of CRD_YAML_DIR (reports which ones need normalising)' },
    concurrency: { type: 'string', value: '<n>', help: 'kubectl calls at once', default: '4' },
  },
} as const;

function describe(f: Finding): string {
  const ns = f.namespace ? ` -n ${f.namespace}` : '';
  return `${f.file}: ${f.kind} ${f.name}${ns}: ${f.severity}: ${f.message.replace(/\n/g, '\n      ')}`;
}

function checkSelfTest(results: ObjResult[], parseFindings: Finding[]): string[] {
  const failures: string[] = parseFindings.map((f) => `fixture not loadable: ${describe(f)}`);
  for (const { obj, findings } of results) {
    const what = `${obj.file}: ${obj.kind} ${obj.name}`;
    if (obj.expect !== undefined) {
      const hit = findings.find((f) => f.message.includes(obj.expect!));
      if (hit) log(`  ok    ${what}: reported (${hit.severity}): ${hit.message.split('\n')[0].slice(0, 160)}`);
      else {
        const got = findings.length ? findings.map((f) => `${f.severity}: ${f.message}`).join(' | ') : 'accepted without error or warning';
        failures.push(`${what}: expected a message containing "${obj.expect}", got: ${got}`);
      }
    } else if (findings.length > 0) {
      failures.push(`${what}: expected to pass, got: ${findings.map((f) => `${f.severity}: ${f.message}`).join(' | ')}`);
    } else log(`  ok    ${what}: passed`);
  }
  const bad = results.filter((r) => r.obj.expect !== undefined).length;
  if (bad === 0) failures.push('no known-bad fixture found (testdata/known-bad/*.yaml with the validate-server.test/expect annotation)');
  if (!results.some((r) => r.obj.expect === undefined && r.obj.file.includes('known-good'))) failures.push('no known-good fixture found');
  return failures;
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(spec);
  const selfTestOnly = values['self-test'] === true;
  let selfTest = values['no-self-test'] !== true;
  const checkCrds = values['check-crds'] === true;
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) exitWithUsage(spec, `--concurrency must be a positive whole number, got '${String(values.concurrency)}'`);
  if ([selfTestOnly, !selfTest, checkCrds].filter(Boolean).length > 1) exitWithUsage(spec, '--self-test, --no-self-test and --check-crds exclude each other');
  if (checkCrds) selfTest = false;
  const t0 = Date.now();
  const here = join(root, 'tools', 'apiserver');
  const binDir = process.env.APISERVER_BIN_DIR ?? join(root, '.tools', 'apiserver', 'bin');
  const crdDir = resolve(root, process.env.CRD_YAML_DIR ?? '../shared/schemas/crd-yaml');

  // Build (skipped when up to date).
  const b = spawnSync('bash', [join(here, 'build.sh')], { stdio: 'inherit', env: { ...process.env, APISERVER_BIN_DIR: binDir } });
  if (b.status !== 0) {
    console.error('validate:server: build failed');
    return 2;
  }
  const tBuild = Date.now();

  const allow = loadAllowList(join(here, 'allowlist.yaml'));

  // What to validate.
  const groups: Group[] = [];
  const selfGroup = selfTest ? loadGroup('self-test', join(here, 'testdata')) : undefined;
  if (!selfTestOnly && !checkCrds) {
    // One group per cluster: dist/<env>/ (all platforms of an environment share its cluster) and
    // argocd/<env>/; YAML lying directly in dist/ or argocd/ forms a group of its own.
    for (const top of ['dist', 'argocd']) {
      const base = join(root, top);
      const found: Group[] = [];
      if (existsSync(base) && statSync(base).isDirectory()) {
        found.push(loadGroup(top, base, false));
        for (const e of readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
          found.push(loadGroup(`${top}/${e.name}`, join(base, e.name)));
        }
      }
      const nonEmpty = found.filter((g) => g.objects.length + g.parseFindings.length > 0);
      if (nonEmpty.length === 0) log(`note: ${existsSync(base) ? `${top}/ has no YAML` : `${top}/ does not exist`} — nothing to validate there${top === 'dist' ? ' (run the renderer first)' : ''}`);
      groups.push(...nonEmpty);
    }
  }
  const all = [...(selfGroup ? [selfGroup] : []), ...groups];

  // CRDs the objects use, from the offline CRD folder (a CRD the output ships itself is installed per group).
  const crdIndex = loadCrdIndex(crdDir);
  if (crdIndex.size === 0) log(`note: no CRDs found in ${crdDir} (set CRD_YAML_DIR)`);
  const shipped = new Set(all.flatMap((g) => g.objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => `${o.body.spec?.group}/${o.body.spec?.names?.kind}`)));
  // The self-test runs before any group installs the CRDs it ships (the add-ons' CRDs in dist/<env>/<add-on>-crds),
  // so the kinds its fixtures use come from the CRD folder even when the output ships them too.
  const selfKinds = new Set(selfGroup?.objects.map((o) => `${o.apiGroup}/${o.kind}`) ?? []);
  const needed = [...new Set(all.flatMap((g) => g.objects.map((o) => `${o.apiGroup}/${o.kind}`)))]
    .filter((k) => crdIndex.has(k) && (!shipped.has(k) || selfKinds.has(k)))
    .sort()
    .map((k) => crdIndex.get(k)!);
  if (checkCrds) needed.splice(0, needed.length, ...[...crdIndex.values()].sort((a, b) => a.file.localeCompare(b.file)));

  log(`validate:server: ${all.map((g) => `${g.name} (${g.objects.length} objects)`).join(', ') || 'nothing'}; CRDs from ${rel(crdDir)}`);
  // Signals stop etcd and kube-apiserver (also half-started ones) and remove the temp dir before exiting.
  let stopCluster: (() => Promise<void>) | undefined;
  const stopOnSignal = (sig: NodeJS.Signals) => {
    log(`validate:server: ${sig}, stopping etcd and kube-apiserver`);
    void (stopCluster?.() ?? Promise.resolve()).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  process.once('SIGHUP', stopOnSignal);
  const cluster = await startCluster(binDir, (m) => log(`  ${m}`), (stop) => (stopCluster = stop));
  let failures = 0;
  try {
    const tStart = Date.now();
    log(`  API server ready in ${secs(tStart - tBuild)}`);
    const crdProblems = await installCrds(cluster, needed);
    log(`  ${needed.length} CRDs installed (${needed.map((c) => c.body.metadata?.name).join(', ')}) in ${secs(Date.now() - tStart)}`);
    for (const p of crdProblems) log(`  FAIL  ${p}`);
    failures += crdProblems.length;

    if (selfGroup) {
      const t = Date.now();
      log(`self-test: ${selfGroup.objects.length} fixture objects from ${rel(selfGroup.dir)}`);
      const res = await validateGroup(cluster, selfGroup, concurrency);
      const st = checkSelfTest(res, selfGroup.parseFindings);
      for (const f of st) log(`  FAIL  ${f}`);
      failures += st.length;
      log(`self-test: ${st.length === 0 ? 'passed' : `FAILED (${st.length})`} in ${secs(Date.now() - t)}`);
    }

    let passed = 0;
    let failed = 0;
    const allowed: { f: Finding; e: AllowEntry }[] = [];
    for (const g of groups) {
      const t = Date.now();
      const res = await validateGroup(cluster, g, concurrency);
      const bad: Finding[] = [...g.parseFindings];
      for (const r of res) {
        let objBad = false;
        for (const f of r.findings) {
          const e = findAllowance(allow, f);
          if (e) {
            e.used++;
            allowed.push({ f, e });
          } else {
            bad.push(f);
            objBad = true;
          }
        }
        if (objBad) failed++;
        else passed++;
      }
      failed += g.parseFindings.length;
      log(`${g.name}: ${res.length} objects from ${new Set(g.objects.map((o) => o.file)).size} files, ${bad.length ? `${bad.length} problems` : 'all accepted'} (${secs(Date.now() - t)})`);
      for (const f of bad) log(`  FAIL  ${describe(f)}`);
    }
    for (const { f, e } of allowed) log(`  allowed (allowlist.yaml entry ${e.index}: ${e.reason}): ${describe(f)}`);
    for (const e of allow) if (e.used === 0 && groups.length > 0) log(`  note: allowlist.yaml entry ${e.index} (${e.reason}) matched nothing; remove it?`);
    failures += failed;
    if (groups.length > 0) log(`validate-server: ${passed} passed, ${failed} failed`);
  } finally {
    await cluster.stop();
  }
  log(`validate:server: ${failures === 0 ? 'OK' : 'FAILED'} in ${secs(Date.now() - t0)} (build check ${secs(tBuild - t0)})`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`validate:server: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  },
);
