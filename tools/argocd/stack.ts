// Argo CD on loopback against the throw-away cluster: in-memory redis, repo server, application controller
// (tools/argocd/build.sh builds them), and the repository served by `git daemon` from a temporary copy.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { Proc, run, startProc, stopProc } from '../apiserver/cluster';

export type { Proc };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
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

export async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

export function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

async function git(cwd: string, args: string[]): Promise<string> {
  const r = await run('git', ['-c', 'user.name=validate-argocd', '-c', 'user.email=validate-argocd@localhost', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
  });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * A temporary repository holding what Argo CD reads (dist/ and argocd/), with the environments' repoURL
 * replaced by this server's URL in the copy only. `commit` adds a day-2 change to every served branch.
 */
export class ServedRepo {
  readonly url: string;
  private daemon: Proc | undefined;
  private constructor(readonly dir: string, port: number, private readonly branches: readonly string[]) {
    this.url = `git://127.0.0.1:${port}/platform-manifests`;
  }

  /**
   * @param root the repository root to copy from
   * @param upstreamURLs the repoURLs to replace (the environments' gitops.repoURL)
   * @param branches the targetRevisions the environments track (each becomes a branch at the same commit)
   */
  static async create(root: string, tmp: string, upstreamURLs: readonly string[], branches: readonly string[], prepare?: (repo: ServedRepo) => void): Promise<ServedRepo> {
    const base = join(tmp, 'git');
    const dir = join(base, 'platform-manifests');
    mkdirSync(dir, { recursive: true });
    const [port] = await distinctPorts(1);
    const repo = new ServedRepo(dir, port, [...new Set(branches)]);
    for (const top of ['dist', 'argocd']) cpSync(join(root, top), join(dir, top), { recursive: true });
    repo.rewrite(upstreamURLs);
    prepare?.(repo);
    await git(dir, ['init', '-q', '-b', repo.branches[0]]);
    await git(dir, ['add', '-A']);
    await git(dir, ['commit', '-q', '-m', 'validate-argocd: the rendered output']);
    for (const b of repo.branches.slice(1)) await git(dir, ['branch', b]);
    repo.daemon = startProc(
      'git-daemon',
      'git',
      ['daemon', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${base}`, '--export-all', '--informative-errors', base],
      join(tmp, 'git-daemon.log'),
      process.env,
    );
    for (let i = 0; i < 100; i++) {
      const r = await run('git', ['ls-remote', repo.url], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
      if (r.code === 0) return repo;
      if (repo.daemon.exited) throw new Error(`git daemon exited: ${tail(repo.daemon.output())}`);
      await sleep(100);
    }
    throw new Error(`git daemon on ${repo.url} not answering: ${tail(repo.daemon.output())}`);
  }

  private rewrite(upstreamURLs: readonly string[]): void {
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e)) {
          const text = readFileSync(p, 'utf8');
          let out = text;
          for (const u of upstreamURLs) out = out.split(u).join(this.url);
          if (out !== text) writeFileSync(p, out);
        }
      }
    };
    walk(join(this.dir, 'argocd'));
  }

  /** Path inside the served copy. */
  path(p: string): string {
    return join(this.dir, p);
  }

  /** Commits the working copy's changes to every served branch; returns the new commit. */
  async commit(message: string): Promise<string> {
    const head = this.branches[0];
    await git(this.dir, ['checkout', '-q', head]);
    await git(this.dir, ['add', '-A']);
    await git(this.dir, ['commit', '-q', '--allow-empty', '-m', message]);
    const sha = await git(this.dir, ['rev-parse', 'HEAD']);
    for (const b of this.branches.slice(1)) await git(this.dir, ['branch', '-f', b, sha]);
    return sha;
  }

  files(under: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d).sort()) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else out.push(relative(this.dir, p));
      }
    };
    if (existsSync(this.path(under))) walk(this.path(under));
    return out;
  }

  remove(p: string): void {
    rmSync(this.path(p), { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    if (this.daemon) await stopProc(this.daemon);
  }
}

export interface ArgoStack {
  controller: Proc;
  repoServer: Proc;
  redis: Proc;
  stop(): Promise<void>;
}

/**
 * Starts redis, the repo server and the application controller; waits until the repo server answers.
 * @param inCluster what KUBERNETES_SERVICE_HOST/PORT say to the controller: its `https://kubernetes.default.svc`
 */
export async function startArgo(binDir: string, tmp: string, kubeconfig: string, namespace: string, inCluster: { host: string; port: string }): Promise<ArgoStack> {
  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await stopProc(p);
  };
  try {
    const [repoPort, repoMetrics, controllerMetrics] = await distinctPorts(3);
    const home = join(tmp, 'home');
    const work = join(tmp, 'argocd-tmp');
    mkdirSync(home, { recursive: true });
    mkdirSync(work, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      TMPDIR: work,
      KUBECONFIG: kubeconfig,
      ARGOCD_GPG_ENABLED: 'false',
      ARGOCD_EXEC_TIMEOUT: '60s',
      // The repo server would otherwise look for an SSH known-hosts and TLS certs under /app/config.
      ARGOCD_SSH_DATA_PATH: join(home, 'ssh'),
      ARGOCD_TLS_DATA_PATH: join(home, 'tls'),
      ARGOCD_GNUPGHOME: join(home, 'gnupg'),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
    };
    for (const d of ['ssh', 'tls', 'gnupg']) mkdirSync(join(home, d), { recursive: true });
    writeFileSync(join(home, 'ssh', 'ssh_known_hosts'), '');

    const redis = startProc('redis', join(binDir, 'redis'), ['--addr=127.0.0.1:0'], join(tmp, 'redis.log'), env);
    procs.push(redis);
    let redisAddr = '';
    for (let i = 0; i < 100 && !redisAddr; i++) {
      redisAddr = /listening (\S+)/.exec(redis.output())?.[1] ?? '';
      if (redis.exited) throw new Error(`redis exited: ${tail(redis.output())}`);
      if (!redisAddr) await sleep(100);
    }
    if (!redisAddr) throw new Error('redis did not report its address');

    const repoServer = startProc(
      'argocd-repo-server',
      join(binDir, 'argocd-repo-server'),
      [`--address=127.0.0.1`, `--port=${repoPort}`, '--metrics-address=127.0.0.1', `--metrics-port=${repoMetrics}`, `--redis=${redisAddr}`,
        // Plain gRPC on loopback: no server certificate, and no mTLS client CA (its default path is a mounted Secret).
        '--disable-tls', '--client-ca-path=', '--loglevel=info'],
      join(tmp, 'argocd-repo-server.log'),
      env,
      work,
    );
    procs.push(repoServer);
    for (let i = 0; ; i++) {
      if (repoServer.exited) throw new Error(`argocd-repo-server exited: ${tail(repoServer.output())}`);
      if (/is listening on/.test(repoServer.output())) break;
      if (i > 600) throw new Error(`argocd-repo-server not listening after 60s: ${tail(repoServer.output())}`);
      await sleep(100);
    }

    const controller = startProc(
      'argocd-application-controller',
      join(binDir, 'argocd-application-controller'),
      [
        `--kubeconfig=${kubeconfig}`,
        `--namespace=${namespace}`,
        `--repo-server=127.0.0.1:${repoPort}`,
        '--repo-server-plaintext',
        `--redis=${redisAddr}`,
        `--metrics-port=${controllerMetrics}`,
        '--status-processors=4',
        '--operation-processors=4',
        // Day-2 changes are picked up by a hard refresh; this bounds how stale a missed event can get (a CRD's
        // Established condition, say, whose event the cluster cache can miss while it re-reads the API after a CRD change).
        '--app-resync=20',
        '--app-resync-jitter=0',
        '--self-heal-timeout-seconds=2',
        '--loglevel=info',
      ],
      join(tmp, 'argocd-application-controller.log'),
      { ...env, KUBERNETES_SERVICE_HOST: inCluster.host, KUBERNETES_SERVICE_PORT: inCluster.port },
      work,
    );
    procs.push(controller);
    await sleep(1_000);
    if (controller.exited) throw new Error(`argocd-application-controller exited: ${tail(controller.output())}`);
    return { controller, repoServer, redis, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
