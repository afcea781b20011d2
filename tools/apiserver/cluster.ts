// A throw-away control plane on loopback: etcd (no fsync, temporary data dir) and kube-apiserver (RBAC,
// static admin token, self-signed serving certificate, default admission plugins incl. PodSecurity), and on
// request kube-controller-manager with the controllers a GitOps check needs (garbage collector, namespace,
// disruption, service accounts, quotas). No scheduler, no kubelet: nothing ever runs a container.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, feeding `input` on stdin; never throws on a non-zero exit. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => undefined); // the child may exit before reading everything
    child.stdin.end(opts.input ?? '');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

export interface Cluster {
  server: string;
  kubeconfig: string;
  /** Bearer token of the admin user (system:masters). */
  token: string;
  /** CA of the API server's serving certificate. */
  caFile: string;
  /** Temporary directory removed on stop; logs live here. */
  dir: string;
  /** Runs the built kubectl against this cluster. */
  kubectl(args: string[], input?: string, cacheDir?: string): Promise<RunResult>;
  /** A fresh discovery cache directory (after CRDs changed). */
  newCacheDir(): string;
  stop(): Promise<void>;
}

/** A server process of a check, its output written to a log file. */
export interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  exited: boolean;
  /** Everything it printed so far. */
  output: () => string;
}

export function startProc(name: string, bin: string, args: string[], log: string, env?: NodeJS.ProcessEnv, cwd?: string): Proc {
  const out = createWriteStream(log);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
  const proc: Proc = { name, child, log, exited: false, output: () => (existsSync(log) ? readFileSync(log, 'utf8') : '') };
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  child.on('exit', () => {
    proc.exited = true;
  });
  child.on('error', (e) => {
    proc.exited = true;
    out.write(`spawn error: ${e.message}\n`);
  });
  return proc;
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopProc(p: Proc): Promise<void> {
  if (p.exited || p.child.exitCode !== null) return;
  const done = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const killed = await Promise.race([done.then(() => true), sleep(10_000).then(() => false)]);
  if (!killed) {
    p.child.kill('SIGKILL');
    await Promise.race([done, sleep(5_000)]);
  }
}

function readyz(server: string, token: string, ca: Buffer): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = request(`${server}/readyz`, { headers: { Authorization: `Bearer ${token}` }, ca, timeout: 2_000 }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(0));
    req.end();
  });
}

/**
 * @param onStop receives the (idempotent) stop function before any process is spawned, so a signal handler
 * can stop a half-started cluster too.
 */
export interface ClusterOptions {
  /**
   * kube-controller-manager controllers to run (its --controllers names); none starts no controller-manager.
   * @default []
   */
  readonly controllers?: readonly string[];
  /**
   * Whether the API server calls admission webhooks. A cluster that runs no container has no webhook server to
   * call, so a check that stores webhook configurations (rather than dry-running them) turns the calls off.
   * @default true
   */
  readonly admissionWebhooks?: boolean;
  /**
   * Whether kube-apiserver reaches aggregated APIs (APIService) at their Service's endpoints instead of its
   * ClusterIP, which nothing routes here; a check that stands in for an aggregated server writes the endpoints.
   * @default false
   */
  readonly aggregatorRoutesToEndpoints?: boolean;
}

export async function startCluster(binDir: string, log: (msg: string) => void, onStop: (stop: () => Promise<void>) => void, options: ClusterOptions = {}): Promise<Cluster> {
  const tmp = mkdtempSync(join(tmpdir(), 'validate-server-'));
  const procs: Proc[] = [];
  let stopping: Promise<void> | undefined;
  let cacheN = 0;
  // Idempotent: every caller (finally, signal handler) waits for the same, complete shutdown.
  const stop = () =>
    (stopping ??= (async () => {
      for (const p of [...procs].reverse()) await stopProc(p);
      rmSync(tmp, { recursive: true, force: true });
    })());
  onStop(stop);
  try {
    const [etcdPort, peerPort, apiPort] = await distinctPorts(3);
    // etcd: single member, loopback only, no fsync (the data is thrown away).
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = startProc(
      'etcd',
      join(binDir, 'etcd'),
      [
        '--name=validate',
        `--data-dir=${join(tmp, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=validate=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      join(tmp, 'etcd.log'),
    );
    procs.push(etcd);

    // Service-account signing key pair (openssl), admin token in system:masters.
    const key = join(tmp, 'sa.key');
    const pub = join(tmp, 'sa.pub');
    for (const args of [
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key],
      ['pkey', '-in', key, '-pubout', '-out', pub],
    ]) {
      const r = await run('openssl', args);
      if (r.code !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr.trim()}`);
    }
    const token = randomBytes(24).toString('hex');
    const tokens = join(tmp, 'tokens.csv');
    writeFileSync(tokens, `${token},validate-admin,validate-admin,"system:masters"\n`, { mode: 0o600 });
    const certDir = join(tmp, 'certs');
    mkdirSync(certDir);

    const apiserver = startProc(
      'kube-apiserver',
      join(binDir, 'kube-apiserver'),
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        // A loopback advertise address needs the endpoint reconciler off (nothing routes to this server anyway).
        '--endpoint-reconciler-type=none',
        `--secure-port=${apiPort}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokens}`,
        '--anonymous-auth=false',
        '--authorization-mode=RBAC',
        `--service-account-key-file=${pub}`,
        `--service-account-signing-key-file=${key}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        '--service-cluster-ip-range=10.96.0.0/16',
        // Real clusters (EKS included) allow privileged containers; Pod Security admission is what judges them.
        '--allow-privileged=true',
        '--profiling=false',
        ...(options.admissionWebhooks === false ? ['--disable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook'] : []),
        ...(options.aggregatorRoutesToEndpoints ? ['--enable-aggregator-routing=true'] : []),
        '--v=0',
      ],
      join(tmp, 'kube-apiserver.log'),
    );
    procs.push(apiserver);

    const server = `https://127.0.0.1:${apiPort}`;
    log(`etcd on ${etcdUrl}, kube-apiserver on ${server} (temp dir ${tmp})`);
    const caFile = join(certDir, 'apiserver.crt');
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (stopping) throw new Error('stopped while starting');
      for (const p of procs) {
        if (p.exited) throw new Error(`${p.name} exited during start-up; last log lines:\n${tail(p.log)}`);
      }
      if (existsSync(caFile) && (await readyz(server, token, readFileSync(caFile))) === 200) break;
      if (Date.now() > deadline) {
        throw new Error(`kube-apiserver not ready after 90s; last log lines:\n${tail(apiserver.log)}\n--- etcd:\n${tail(etcd.log)}`);
      }
      await sleep(250);
    }

    const kubeconfig = join(tmp, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: validate\n  cluster:\n    server: ${server}\n    certificate-authority: ${caFile}`,
        'users:',
        `- name: admin\n  user:\n    token: ${token}`,
        'contexts:',
        '- name: validate\n  context:\n    cluster: validate\n    user: admin\n    namespace: default',
        'current-context: validate',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const controllers = options.controllers ?? [];
    if (controllers.length > 0) {
      const kcm = startProc(
        'kube-controller-manager',
        join(binDir, 'kube-controller-manager'),
        [
          `--kubeconfig=${kubeconfig}`,
          `--controllers=${controllers.join(',')}`,
          // No serving endpoint at all: nothing outside needs the controller-manager's health or metrics.
          '--secure-port=0',
          '--leader-elect=false',
          '--use-service-account-credentials=false',
          `--service-account-private-key-file=${key}`,
          `--root-ca-file=${caFile}`,
          '--v=0',
        ],
        join(tmp, 'kube-controller-manager.log'),
      );
      procs.push(kcm);
      await sleep(500);
      if (kcm.exited) throw new Error(`kube-controller-manager exited during start-up; last log lines:\n${tail(kcm.log)}`);
      log(`kube-controller-manager running ${controllers.join(', ')}`);
    }
    const newCacheDir = () => join(tmp, `kube-cache-${cacheN++}`);
    let defaultCache = newCacheDir();
    const kubectlEnv = { ...process.env, KUBECONFIG: kubeconfig, KUBECTL_KUBERC: 'false' };
    return {
      server,
      kubeconfig,
      token,
      caFile,
      dir: tmp,
      kubectl: (args, input, cacheDir) =>
        run(join(binDir, 'kubectl'), [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir ?? defaultCache}`, ...args], {
          input,
          env: kubectlEnv,
        }),
      newCacheDir: () => (defaultCache = newCacheDir()),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
