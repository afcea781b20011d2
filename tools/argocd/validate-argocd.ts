// validate:argocd — syncs the rendered output with a real Argo CD (application controller + repo server,
// tools/argocd/build.sh) into this repository's own kube-apiserver + kube-controller-manager
// (tools/apiserver/build.sh), from a temporary commit served by `git daemon`, everything on 127.0.0.1.
// Per environment, each scenario in a child process with its own network and mount namespaces, it bootstraps
// from argocd/<env>/root.yaml alone (after scripts/install-argocd.sh) and asserts:
//   1. bootstrap  every Application reaches Synced + Healthy, its last sync Succeeded (or none was needed); the
//                 root is Synced
//   2. no churn   no Application's spec is rewritten and no sync operation starts for --churn seconds
//   3. waves      an Application is created only after every Application of lower waves is done as in 1
//                 (events in the API server's order, from one watch)
// then, on --day2-env (staging), day-2 changes pushed as commits (tools/argocd/day2.ts), and the known-bad
// fixtures that must make it fail (--self-test, default on). See docs/argocd-check.md.
//
//   npm run validate:argocd -- [--env <name>]... [--no-self-test | --self-test-only] [--no-day2 | --day2-env <name>]
//                              [--churn <s>] [--jobs <n>] [--keep-logs]
//
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { exitWithUsage, parseCommandLine } from '../../cli/args';
import type { KubeObject } from '../../lib/kube-object';
import { toYaml } from '../../lib/render/serialize';
import { run, startCluster } from '../apiserver/cluster';
import { AggregatedApiStandIn, STAND_IN_IP } from './aggregated-api-stand-in';
import { DAY2_CASES, Day2Context } from './day2';
import { Kube, KObject, pathOf, Ref } from './kube';
import { ServedRepo, startArgo, tail } from './stack';
import { StatusWriter } from './status-writer';

const WAVE = 'argocd.argoproj.io/sync-wave';
const NS = 'argocd';
const FIELD_MANAGER = 'validate-argocd';
const REFRESH = 'argocd.argoproj.io/refresh';
/** What a GitOps check needs from kube-controller-manager: prune and delete cascades, namespaces, PDB status. */
const CONTROLLERS = [
  'garbage-collector-controller',
  'namespace-controller',
  'disruption-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'resourcequota-controller',
];

function findRoot(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'tools', 'argocd', 'build.sh'))) return d;
    if (dirname(d) === d) return process.cwd();
  }
}
const root = findRoot();
const log = (msg: string) => console.log(msg);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const docsOf = (file: string): KObject[] =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS({ maxAliasCount: -1 }) as KObject).filter((o) => o && o.kind);

// ----------------------------------------------------------------------------------------------- observer

/** What the watch saw of one Application. */
interface AppTrack {
  name: string;
  wave: number;
  /** Position in the event stream and wall-clock time of the first ADDED event. */
  createdSeq?: number;
  createdAt?: number;
  /** First event at which it was done: sync Succeeded, Synced, Healthy. */
  readyAt?: number;
  readySeq?: number;
  last?: KObject;
  generations: number[];
  /** Hash of what Git and people write (spec, labels, annotations): status writes do not count. */
  specHash?: string;
  /** How often that changed after creation: the root app (or someone) rewrote the Application. */
  specChanges: number;
  /** Distinct operationState.startedAt values seen: one per sync operation. */
  operations: Set<string>;
  deleted: boolean;
}

/**
 * Done, as the rendered Application health check (lib/addons/argocd-cm.ts) judges it: no operation requested or
 * running, the last sync Succeeded (or none was ever needed: what the bootstrap installed is already Synced),
 * Synced and Healthy.
 */
const done = (a: KObject | undefined) =>
  a !== undefined && !a.operation && (a.status?.operationState === undefined || a.status.operationState.phase === 'Succeeded')
  && a.status?.sync?.status === 'Synced' && a.status?.health?.status === 'Healthy';

/**
 * What the root app (or a person) writes into an Application. Not metadata.generation: the Application CRD has no
 * status subresource, so every status update Argo CD makes (each refresh) moves the generation too.
 */
function specHashOf(a: KObject): string {
  const { [REFRESH]: _refresh, ...annotations } = a.metadata.annotations ?? {};
  void _refresh;
  return createHash('sha256').update(JSON.stringify({ spec: a.spec, labels: a.metadata.labels ?? {}, annotations })).digest('hex');
}

const errorsOf = (a: KObject | undefined): string[] => {
  if (!a) return [];
  const out: string[] = [];
  for (const c of a.status?.conditions ?? []) if (/Error$|Warning$/.test(c.type)) out.push(`${c.type}: ${c.message}`);
  const op = a.status?.operationState;
  if (op && op.phase !== 'Succeeded' && op.message) out.push(`sync ${op.phase}: ${op.message}`);
  for (const r of op?.syncResult?.resources ?? []) {
    if (r.status === 'SyncFailed' || r.hookPhase === 'Failed') out.push(`${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}: ${r.message}`);
  }
  for (const r of a.status?.resources ?? []) {
    if (r.health?.status === 'Degraded' || r.health?.status === 'Missing') out.push(`${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}: ${r.health.status}${r.health.message ? ` (${r.health.message})` : ''}`);
  }
  return [...new Set(out)];
};

/**
 * Why an Application's objects are not healthy, from the objects themselves: Argo CD 3 keeps resource health out
 * of the Application's status, so a NodePool's `Ready=False` message is only on the NodePool.
 */
async function notReady(kube: Kube, app: KObject | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const r of (app?.status?.resources ?? []) as Ref[]) {
    const live = await kube.find(pathOf(r));
    for (const c of (live?.status?.conditions ?? []) as KObject[]) {
      if ((c.type === 'Ready' || c.type === 'Available') && c.status === 'False') out.push(`${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}: ${c.type}=False: ${c.message ?? c.reason ?? ''}`);
    }
  }
  return out;
}

class Observer {
  readonly apps = new Map<string, AppTrack>();
  readonly gateViolations: string[] = [];
  private seq = 0;
  private stopWatch: (() => void) | undefined;
  readonly t0 = Date.now();

  /** @param waves the wave of every Application the root will create (from the served argocd/<env>/apps) */
  constructor(private readonly kube: Kube, private readonly waves: Map<string, number>) {
    for (const [name, wave] of waves) this.apps.set(name, { name, wave, generations: [], specChanges: 0, operations: new Set(), deleted: false });
  }

  start(): void {
    this.stopWatch = this.kube.watch(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/applications`, (e) => this.onEvent(e.type, e.object));
  }

  stop(): void {
    this.stopWatch?.();
  }

  private onEvent(type: string, a: KObject): void {
    const seq = ++this.seq;
    const now = Date.now();
    const name = a.metadata.name as string;
    let t = this.apps.get(name);
    if (!t) {
      t = { name, wave: Number(a.metadata.annotations?.[WAVE] ?? 0), generations: [], specChanges: 0, operations: new Set(), deleted: false };
      this.apps.set(name, t);
    }
    if (type === 'DELETED') {
      t.deleted = true;
      t.last = a;
      return;
    }
    if (t.createdSeq === undefined) {
      t.createdSeq = seq;
      t.createdAt = now;
      if (name !== 'root') this.checkGate(t);
    }
    t.last = a;
    const g = a.metadata.generation as number;
    if (t.generations[t.generations.length - 1] !== g) t.generations.push(g);
    const hash = specHashOf(a);
    if (t.specHash !== undefined && t.specHash !== hash) t.specChanges++;
    t.specHash = hash;
    const started = a.status?.operationState?.startedAt;
    if (started) t.operations.add(started);
    if (t.readySeq === undefined && done(a)) {
      t.readySeq = seq;
      t.readyAt = now;
    }
  }

  /** At the moment `created` appeared, every Application of a lower wave must have been done already. */
  private checkGate(created: AppTrack): void {
    for (const other of this.apps.values()) {
      if (other.name === 'root' || other.wave >= created.wave || !this.waves.has(other.name)) continue;
      if (other.readySeq === undefined) {
        const state = other.last
          ? `sync ${other.last.status?.sync?.status ?? '-'}, health ${other.last.status?.health?.status ?? '-'}, operation ${other.last.status?.operationState?.phase ?? 'none'}`
          : 'not created yet';
        this.gateViolations.push(`${created.name} (wave ${created.wave}) was created while ${other.name} (wave ${other.wave}) was not done: ${state}`);
      }
    }
  }

  at(ms: number | undefined): string {
    return ms === undefined ? '-' : `+${secs(ms - this.t0)}`;
  }
}

// ----------------------------------------------------------------------------------------------- scenario

interface ScenarioResult {
  failures: string[];
  report: string[];
}

interface Scenario {
  env: string;
  /** Changes the served copy before its first commit (fixtures). */
  prepare?: (repo: ServedRepo) => void;
  /** Bootstrap deadline. */
  bootstrapMs: number;
  churnMs: number;
  day2: boolean;
  /**
   * Ends the bootstrap wait early once what a fixture provokes is there (the Applications as the watch saw
   * them, ms since the bootstrap started); the bootstrap then counts as not converged. @default wait the deadline
   */
  settled?: (apps: ReadonlyMap<string, AppTrack>, elapsedMs: number) => boolean;
}

interface Paths {
  apiserverBin: string;
  argocdBin: string;
}

let activeStop: (() => Promise<void>) | undefined;

async function runScenario(s: Scenario, paths: Paths, keepLogs: boolean): Promise<ScenarioResult> {
  const failures: string[] = [];
  const report: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'validate-argocd-'));
  const stops: (() => Promise<void> | void)[] = [];
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    for (const f of [...stops].reverse()) {
      try {
        await f();
      } catch {
        // keep stopping the rest
      }
    }
    if (!keepLogs) rmSync(tmp, { recursive: true, force: true });
  };
  activeStop = stopAll;
  try {
    const t0 = Date.now();
    const rootFile = join(root, 'argocd', s.env, 'root.yaml');
    const rootDocs = docsOf(rootFile);
    const rootApp = rootDocs.find((d) => d.kind === 'Application')!;
    const upstream = rootApp.spec.source.repoURL as string;
    const revision = rootApp.spec.source.targetRevision as string;

    const repo = await ServedRepo.create(root, tmp, [upstream], [revision], (r) => s.prepare?.(r));
    stops.push(() => repo.stop());

    const cluster = await startCluster(paths.apiserverBin, (m) => log(`  ${m}`), (stop) => stops.push(stop), { controllers: CONTROLLERS, admissionWebhooks: false, aggregatorRoutesToEndpoints: true });
    const kube = new Kube(cluster.server, cluster.token, readFileSync(cluster.caFile));
    const inCluster = writeInClusterConfig(cluster.server, cluster.token, readFileSync(cluster.caFile));

    // Argo CD installed exactly as docs/addons.md bootstraps a cluster (scripts/install-argocd.sh: every CRD of
    // the environment, its Namespace, its rendered folder with argocd-cm's health check), then root.yaml only.
    const install = await run('bash', [join(root, 'scripts', 'install-argocd.sh'), s.env], {
      cwd: repo.dir, env: { ...process.env, KUBECTL: join(paths.apiserverBin, 'kubectl'), KUBECONFIG: cluster.kubeconfig },
    });
    if (install.code !== 0) throw new Error(`scripts/install-argocd.sh ${s.env}: ${(install.stderr.trim() || install.stdout.trim()).slice(-1500)}`);

    const argo = await startArgo(paths.argocdBin, tmp, cluster.kubeconfig, NS, inCluster);
    stops.push(() => argo.stop());
    const writer = new StatusWriter(kube);
    writer.start();
    stops.push(() => writer.stop());
    const aggregated = new AggregatedApiStandIn(kube);
    await aggregated.start();
    stops.push(() => aggregated.stop());
    log(`  ${s.env}: cluster, Argo CD ${readVersion()} and ${repo.url} up in ${secs(Date.now() - t0)}`);

    // The Applications the root will create, and their waves.
    const waves = new Map<string, number>();
    for (const f of repo.files(`argocd/${s.env}/apps`)) {
      for (const d of docsOf(repo.path(f))) if (d.kind === 'Application') waves.set(d.metadata.name, Number(d.metadata.annotations?.[WAVE] ?? 0));
    }
    const observer = new Observer(kube, waves);
    observer.start();
    stops.push(() => observer.stop());

    // 1. Bootstrap from root.yaml alone.
    const tBoot = Date.now();
    for (const d of docsOf(repo.path(`argocd/${s.env}/root.yaml`))) {
      const plural = d.kind === 'Application' ? 'applications' : 'appprojects';
      await kube.apply(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/${plural}/${d.metadata.name}`, d, FIELD_MANAGER);
    }
    const converged = () => {
      const rootTrack = observer.apps.get('root');
      return [...waves.keys()].every((n) => observer.apps.get(n)?.readySeq !== undefined && done(observer.apps.get(n)!.last))
        && rootTrack?.last?.status?.sync?.status === 'Synced' && rootTrack.last.status?.operationState?.phase === 'Succeeded';
    };
    const ok = await waitFor(async () => converged() || argo.controller.exited || argo.repoServer.exited || (s.settled?.(observer.apps, Date.now() - tBoot) ?? false), s.bootstrapMs, '', false);
    if (argo.controller.exited) failures.push(`argocd-application-controller exited: ${tail(argo.controller.output(), 15)}`);
    if (argo.repoServer.exited) failures.push(`argocd-repo-server exited: ${tail(argo.repoServer.output(), 15)}`);
    const bootMs = Date.now() - tBoot;
    if (ok && converged()) log(`  ${s.env}: bootstrap converged in ${secs(bootMs)}: ${waves.size} Applications Synced + Healthy, root Synced`);
    else {
      const missing = [...waves.keys()].filter((n) => !done(observer.apps.get(n)?.last));
      const rootState = observer.apps.get('root')?.last?.status;
      failures.push(`bootstrap did not converge in ${secs(bootMs)}: ${missing.length ? `not done: ${missing.join(', ')}` : 'every child done'}; root ${rootState?.sync?.status ?? '-'} / ${rootState?.health?.status ?? '-'} / operation ${rootState?.operationState?.phase ?? 'none'}`);
      for (const n of missing) {
        const app = observer.apps.get(n)?.last;
        const errs = [...errorsOf(app), ...(await notReady(kube, app))];
        if (errs.length) failures.push(`${n}: ${errs.slice(0, 4).join('; ').replace(/\s+/g, ' ').slice(0, 600)}`);
      }
      const rootOutOfSync = ((observer.apps.get('root')?.last?.status?.resources ?? []) as KObject[]).filter((r) => r.status === 'OutOfSync');
      if (rootOutOfSync.length) failures.push(`root stays OutOfSync on: ${rootOutOfSync.map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`).join(', ')}`);
      const uncreated = [...waves.keys()].filter((n) => observer.apps.get(n)?.createdSeq === undefined);
      if (uncreated.length) failures.push(`never created by the root app: ${uncreated.map((n) => `${n} (wave ${waves.get(n)})`).join(', ')}`);
    }

    // 3. Waves gate (judged from the watch, in the server's order).
    for (const v of observer.gateViolations) failures.push(`wave gate: ${v}`);

    // 2. No churn.
    const snapshot = () => new Map([...observer.apps.values()].map((t) => [t.name, { specChanges: t.specChanges, ops: t.operations.size }]));
    const before = snapshot();
    await sleep(s.churnMs);
    const after = snapshot();
    const churned: string[] = [];
    for (const [name, b] of before) {
      const a = after.get(name)!;
      if (a.specChanges !== b.specChanges || a.ops !== b.ops) churned.push(`${name} (spec rewritten ${a.specChanges - b.specChanges} time(s), sync operations +${a.ops - b.ops})`);
    }
    // Argo CD backs its self-heal off (2 s, 6 s, 18 s, ...), so a fight can pause for longer than the window and
    // the bootstrap can look converged between two rounds: count every rewrite since creation, and judge the
    // state at the end of the window too.
    for (const t of observer.apps.values()) {
      if (t.specChanges > 0 && !churned.some((c) => c.startsWith(`${t.name} `))) churned.push(`${t.name} (spec rewritten ${t.specChanges} time(s) since it was created)`);
    }
    const rootEnd = observer.apps.get('root')?.last?.status?.sync?.status;
    if (rootEnd !== 'Synced') churned.push(`root (${rootEnd ?? 'no sync status'} at the end of the window)`);
    if (churned.length) failures.push(`churn: ${churned.length} Application(s) changed within ${secs(s.churnMs)} of convergence, with nothing changed in Git: ${churned.join(', ')}`);
    else log(`  ${s.env}: no churn: no Application's spec was rewritten and no sync operation started in ${secs(s.churnMs)}`);

    // 4. Day-2 changes.
    if (s.day2 && failures.length === 0) {
      const ctx: Day2Context = { env: s.env, kube, repo, observer: { apps: observer.apps, done }, writer, log: (m) => log(`  ${s.env}: ${m}`), refresh: () => hardRefresh(kube, observer) };
      for (const c of DAY2_CASES) {
        const tc = Date.now();
        try {
          const problems = await c.run(ctx);
          if (problems.length) failures.push(...problems.map((p) => `day-2 "${c.name}": ${p}`));
          else log(`  ${s.env}: day-2 ok: ${c.name} (${secs(Date.now() - tc)})`);
        } catch (e) {
          failures.push(`day-2 "${c.name}": ${(e as Error).message}`);
        }
      }
    }

    // Report per Application.
    report.push(`  ${s.env}: per Application (times from the start of the watch; wave, created, done, sync / health, sync operations, spec rewrites):`);
    const rows = [...observer.apps.values()].sort((a, b) => a.wave - b.wave || a.name.localeCompare(b.name));
    for (const t of rows) {
      const st = t.last?.status;
      const errs = errorsOf(t.last);
      report.push(
        `    ${t.name.padEnd(30)} wave ${String(t.name === 'root' ? '-' : t.wave).padStart(3)}  created ${observer.at(t.createdAt).padStart(7)}  done ${observer.at(t.readyAt).padStart(7)}  ` +
          `${st?.sync?.status ?? '-'} / ${st?.health?.status ?? '-'}  ops ${t.operations.size}  spec rewrites ${t.specChanges}${t.deleted ? '  (deleted)' : ''}`,
      );
      for (const e of errs.slice(0, 6)) report.push(`      ! ${e.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    if (writer.lastError) report.push(`    status writer: last error: ${writer.lastError}`);
    if (aggregated.lastError) report.push(`    aggregated API stand-in: last error: ${aggregated.lastError}`);
    if (failures.length) report.push(`    logs: ${keepLogs ? tmp : '(rerun with --keep-logs to keep them)'}; controller log tail:\n${tail(argo.controller.output(), 8).replace(/^/gm, '      ')}`);
    return { failures, report };
  } catch (e) {
    failures.push(`${(e as Error).message}`);
    return { failures, report };
  } finally {
    await stopAll();
    activeStop = undefined;
  }
}

async function hardRefresh(kube: Kube, observer: Observer): Promise<void> {
  for (const name of observer.apps.keys()) {
    if (observer.apps.get(name)!.deleted) continue;
    await kube.mergePatch(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/applications/${name}`, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard' } } });
  }
}

/** Where client-go's in-cluster config looks; a tmpfs of this process's private mount namespace (see main). */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Argo CD reaches its own cluster (`https://kubernetes.default.svc`) through client-go's in-cluster config, as a
 * Pod would: the service account token and CA files and KUBERNETES_SERVICE_HOST/PORT. Here they name the
 * throw-away API server and its admin token.
 */
function writeInClusterConfig(server: string, token: string, ca: Buffer): { host: string; port: string } {
  mkdirSync(SERVICE_ACCOUNT_DIR, { recursive: true });
  writeFileSync(join(SERVICE_ACCOUNT_DIR, 'token'), token, { mode: 0o600 });
  writeFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt'), ca);
  writeFileSync(join(SERVICE_ACCOUNT_DIR, 'namespace'), NS);
  const url = new URL(server);
  return { host: url.hostname, port: url.port };
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string, throwOnTimeout = true): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) {
      if (throwOnTimeout) throw new Error(`timed out after ${secs(ms)} waiting for ${what}`);
      return false;
    }
    await sleep(500);
  }
}

function readVersion(): string {
  const mod = readFileSync(join(root, 'tools', 'argocd', 'go.mod'), 'utf8');
  return /^\s*github\.com\/argoproj\/argo-cd\/v3 (\S+)/m.exec(mod)?.[1] ?? '?';
}

// ----------------------------------------------------------------------------------------------- fixtures

interface Fixture {
  name: string;
  prepare: (repo: ServedRepo, env: string) => void;
  /** Every pattern must match some failure. */
  expect: RegExp[];
  bootstrapMs: number;
  churnMs: number;
  settled?: Scenario['settled'];
}

/** When an Application has been in the given health for `forMs` (the watch's last event says so). */
const stuckSince = new Map<string, number>();
function stuck(apps: ReadonlyMap<string, AppTrack>, name: string, test: (a: KObject) => boolean, forMs: number): boolean {
  const a = apps.get(name)?.last;
  if (!a || !test(a)) {
    stuckSince.delete(name);
    return false;
  }
  if (!stuckSince.has(name)) stuckSince.set(name, Date.now());
  return Date.now() - stuckSince.get(name)! >= forMs;
}

function editYaml(repo: ServedRepo, file: string, change: (o: KObject) => void): void {
  const docs = parseAllDocuments(readFileSync(repo.path(file), 'utf8')).map((d) => d.toJS() as KObject);
  for (const d of docs) change(d);
  writeFileSync(repo.path(file), toYaml(docs as KubeObject[]));
}

function firstPlatform(repo: ServedRepo, env: string, skip = 0): string {
  const names = repo.files(`argocd/${env}/apps/platforms`).map((f) => f.split('/').pop()!.replace(/\.yaml$/, ''));
  if (names.length <= skip) throw new Error(`fixture needs ${skip + 1} platform(s) in argocd/${env}/apps/platforms`);
  return names[skip];
}

const FIXTURES: Fixture[] = [
  {
    name: 'an Application carries a field Argo CD normalises away (source.directory: {recurse: false}) → churn is reported',
    prepare: (repo, env) => {
      const p = firstPlatform(repo, env);
      editYaml(repo, `argocd/${env}/apps/platforms/${p}.yaml`, (d) => {
        if (d.kind === 'Application') d.spec.source.directory = { recurse: false };
      });
    },
    // Argo CD 3.6 backs its self-heal off instead of re-applying forever, so this shows as the root app never Synced.
    expect: [/churn: \d+ Application\(s\) changed|root stays OutOfSync on: [^\n]*Application argocd\/[a-z-]+/],
    bootstrapMs: 330_000,
    churnMs: 40_000,
  },
  {
    name: 'a kind missing from a project (apps/Deployment) → the permission error is reported',
    prepare: (repo, env) => {
      const p = firstPlatform(repo, env);
      editYaml(repo, `argocd/${env}/apps/projects/${p}.yaml`, (d) => {
        d.spec.namespaceResourceWhitelist = (d.spec.namespaceResourceWhitelist ?? []).filter((k: KObject) => !(k.group === 'apps' && k.kind === 'Deployment'));
      });
    },
    expect: [/bootstrap did not converge/, /Deployment.*not permitted in project|not permitted in project.*Deployment/],
    bootstrapMs: 330_000,
    settled: (apps) => [...apps.values()].some((t) => errorsOf(t.last).some((e) => /not permitted in project/.test(e))),
    churnMs: 1_000,
  },
  {
    name: 'a wave whose Application never gets healthy (NodePool pointing at a missing EC2NodeClass) → later waves are not created',
    prepare: (repo, env) => {
      const file = repo.files(`dist/${env}/cluster`).find((f) => docsOf(repo.path(f)).some((d) => d.kind === 'NodePool'));
      if (!file) throw new Error(`fixture needs a NodePool in dist/${env}/cluster`);
      editYaml(repo, file, (d) => {
        if (d.kind === 'NodePool') d.spec.template.spec.nodeClassRef.name = 'does-not-exist';
      });
    },
    expect: [/never created by the root app: .*\(wave 0\)/, /NodePool platforms: Ready=False: .*does-not-exist/],
    bootstrapMs: 270_000,
    // Degraded for a minute: long enough for the root app to have started the next waves, were it going to.
    settled: (apps) => stuck(apps, 'cluster', (a) => a.status?.health?.status === 'Degraded', 60_000),
    churnMs: 1_000,
  },
];

// ----------------------------------------------------------------------------------------------- main

const spec = {
  usage: 'npm run validate:argocd -- [--env <name>]... [--no-self-test | --self-test-only] [--no-day2 | --day2-env <name>] [--churn <seconds>] [--jobs <n>] [--keep-logs]',
  description:
    'Builds kube-apiserver, kube-controller-manager and Argo CD (controller, repo server) if needed, serves dist/ and\n' +
    'argocd/ over git daemon on 127.0.0.1, bootstraps each environment from argocd/<env>/root.yaml and asserts\n' +
    'convergence, no churn, wave gating and (on --day2-env) day-2 changes, then the known-bad fixtures.',
  options: {
    env: { type: 'string', multiple: true, value: '<name>', help: 'only this environment (default: every argocd/<env>/)' },
    'no-self-test': { type: 'boolean', help: 'skip the known-bad fixtures' },
    'self-test-only': { type: 'boolean', help: 'only the known-bad fixtures' },
    'no-day2': { type: 'boolean', help: 'skip the day-2 changes' },
    'day2-env': { type: 'string', value: '<name>', help: 'the environment the day-2 changes run on: one with autoscaling, which dev lacks', default: 'staging' },
    churn: { type: 'string', value: '<seconds>', help: 'length of the no-churn window', default: '60' },
    'keep-logs': { type: 'boolean', help: 'keep the temporary directory with every process log' },
    jobs: { type: 'string', value: '<n>', help: 'scenarios run at the same time, each with its own cluster and Argo CD', default: '2' },
    scenario: { type: 'string', value: '<id>', help: 'run one scenario in this process (what the parallel runner starts, inside its namespaces)' },
  },
} as const;

async function main(): Promise<number> {
  const { values } = parseCommandLine(spec);
  const envs = (values.env as string[] | undefined) ?? [];
  const selfTest = !values['no-self-test'];
  const selfTestOnly = values['self-test-only'] === true;
  const day2 = !values['no-day2'];
  const day2Env = values['day2-env'] as string;
  const churn = Number(values.churn);
  const keepLogs = values['keep-logs'] === true;
  if (!(churn > 0)) exitWithUsage(spec, `--churn must be a positive number of seconds, got '${String(values.churn)}'`);
  if (selfTestOnly && !selfTest) exitWithUsage(spec, '--self-test-only and --no-self-test exclude each other');
  const t0 = Date.now();
  const paths: Paths = {
    apiserverBin: process.env.APISERVER_BIN_DIR ?? join(root, '.tools', 'apiserver', 'bin'),
    argocdBin: process.env.ARGOCD_BIN_DIR ?? join(root, '.tools', 'argocd', 'bin'),
  };
  for (const script of values.scenario === undefined ? ['tools/apiserver/build.sh', 'tools/argocd/build.sh'] : []) {
    const b = spawnSync('bash', [join(root, script)], { stdio: 'inherit', env: { ...process.env, APISERVER_BIN_DIR: paths.apiserverBin, ARGOCD_BIN_DIR: paths.argocdBin } });
    if (b.status !== 0) {
      console.error(`validate:argocd: ${script} failed`);
      return 2;
    }
  }
  if (values.scenario === undefined) log(`validate:argocd: binaries ready in ${secs(Date.now() - t0)}`);

  const all = readdirSync(join(root, 'argocd')).filter((e) => existsSync(join(root, 'argocd', e, 'root.yaml'))).sort((a, b) => order(a) - order(b));
  for (const e of envs) if (!all.includes(e)) { console.error(`validate:argocd: no argocd/${e}/root.yaml (environments: ${all.join(', ')})`); return 2; }
  const selected = envs.length ? all.filter((e) => envs.includes(e)) : all;
  const fixtureEnv = selected.includes('dev') ? 'dev' : selected[0];
  const jobs: Job[] = [
    ...(selfTestOnly ? [] : selected.map((env): Job => ({ id: `env:${env}`, title: env, env, day2: day2 && env === day2Env }))),
    ...(selfTest || selfTestOnly ? FIXTURES.map((fx, i): Job => ({ id: `fixture:${i}`, title: `self-test (${fixtureEnv}): ${fx.name}`, env: fixtureEnv, fixture: i, day2: false })) : []),
  ];

  const scenario = values.scenario as string | undefined;
  if (scenario !== undefined) {
    const job = jobs.find((j) => j.id === scenario);
    if (!job) exitWithUsage(spec, `--scenario '${scenario}' is none of ${jobs.map((j) => j.id).join(', ')}`);
    return runJob(job, paths, churn, keepLogs);
  }

  // Each scenario runs in a child process of its own, in a private network and mount namespace (needs root, as CI
  // has): Argo CD's controller serves its metrics on 0.0.0.0 with no flag to change it, so there 0.0.0.0 is only
  // that namespace's loopback; and client-go's in-cluster config files go on a tmpfs only that scenario sees.
  // Scenarios mostly wait (for waves, refreshes), so they run `--jobs` at a time.
  const parallel = Number(values.jobs);
  if (!(Number.isInteger(parallel) && parallel > 0)) exitWithUsage(spec, `--jobs must be a positive whole number, got '${String(values.jobs)}'`);
  const children = new Set<ChildProcess>();
  const stopOnSignal = (sig: NodeJS.Signals) => {
    log(`validate:argocd: ${sig}, stopping every scenario`);
    for (const c of children) c.kill('SIGTERM');
    setTimeout(() => process.exit(sig === 'SIGINT' ? 130 : 143), 15_000).unref();
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  process.once('SIGHUP', stopOnSignal);
  const passthrough = ['--churn', String(churn), '--day2-env', day2Env, ...(keepLogs ? ['--keep-logs'] : []), ...(day2 ? [] : ['--no-day2']), ...envs.flatMap((e) => ['--env', e])];
  const setup = `ip link set lo up && ip addr add ${STAND_IN_IP}/32 dev lo && mkdir -p /var/run/secrets && mount -t tmpfs -o mode=0755,size=1m validate-argocd /var/run/secrets && exec "$0" "$@"`;
  const runChild = (job: Job) => new Promise<number>((resolvePromise) => {
    const t = Date.now();
    log(`validate:argocd: started ${job.title}`);
    const child = spawn('unshare', ['--net', '--mount', 'sh', '-c', setup, process.execPath, process.argv[1], '--scenario', job.id, ...passthrough], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VALIDATE_ARGOCD_CHILD: '1' },
    });
    children.add(child);
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    const finish = (code: number, why = '') => {
      children.delete(child);
      process.stdout.write(`\n=== ${job.title} (${secs(Date.now() - t)}) ===\n${Buffer.concat(out).toString('utf8')}${why}`);
      resolvePromise(code);
    };
    child.on('error', (e) => finish(2, `validate:argocd: cannot enter a private network and mount namespace (unshare --net --mount, as root): ${e.message}\n`));
    child.on('close', (code) => finish(code ?? 2));
  });
  const queue = [...jobs];
  const results: number[] = [];
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) results.push(await runChild(job));
  }));
  const failed = results.filter((c) => c !== 0).length;
  log(`\nvalidate:argocd: ${failed ? `FAILED (${failed} of ${jobs.length} scenario(s))` : `passed (${jobs.length} scenario(s))`} in ${secs(Date.now() - t0)}`);
  return failed ? 1 : 0;
}

interface Job {
  /** What --scenario names: `env:<name>` or `fixture:<index>`. */
  id: string;
  title: string;
  env: string;
  /** Index into FIXTURES: the run must fail with what the fixture expects. */
  fixture?: number;
  day2: boolean;
}

/** Runs one scenario in this process (already in its private namespaces); 0 when it did what it should. */
async function runJob(job: Job, paths: Paths, churn: number, keepLogs: boolean): Promise<number> {
  process.once('SIGTERM', () => void (activeStop?.() ?? Promise.resolve()).finally(() => process.exit(143)));
  const t = Date.now();
  if (job.fixture === undefined) {
    const r = await runScenario({ env: job.env, bootstrapMs: 360_000, churnMs: churn * 1000, day2: job.day2 }, paths, keepLogs);
    for (const line of r.report) log(line);
    for (const f of r.failures) log(`  FAIL  ${f}`);
    log(`validate:argocd: ${job.env} ${r.failures.length ? `FAILED (${r.failures.length})` : 'passed'} in ${secs(Date.now() - t)}`);
    return r.failures.length ? 1 : 0;
  }
  const fx = FIXTURES[job.fixture];
  const r = await runScenario({ env: job.env, prepare: (repo) => fx.prepare(repo, job.env), bootstrapMs: fx.bootstrapMs, churnMs: fx.churnMs, day2: false, settled: fx.settled }, paths, keepLogs);
  const text = r.failures.join('\n');
  const missing = fx.expect.filter((re) => !re.test(text));
  if (missing.length === 0 && r.failures.length > 0) {
    log(`  ok    failed as expected in ${secs(Date.now() - t)}:`);
    for (const f of r.failures) log(`          ${f.slice(0, 400)}`);
    return 0;
  }
  for (const line of r.report) log(line);
  log(`  FAIL  the check did not report ${missing.map((m) => m.source).join(' and ')}; it reported: ${r.failures.length ? r.failures.join(' | ') : 'nothing (passed)'}`);
  return 1;
}

function order(env: string): number {
  const i = ['dev', 'staging', 'prod'].indexOf(env);
  return i < 0 ? 99 : i;
}

void main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error(e);
    await activeStop?.();
    process.exit(2);
  },
);
