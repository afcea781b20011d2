import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENT_SOURCES, ENVIRONMENTS, loadEnvironment } from '../environments';
import { App } from 'cdk8s';
import type { Environment, EnvironmentInput } from '../environments/schema';
import { Microservice, MicroserviceProps } from '../lib/microservice';
import { PlatformChart } from '../lib/platform-chart';
import { PlatformContext } from '../lib/platform-context';
import { PLATFORMS } from '../charts';
import { renderEnvironment } from '../lib/render/build';
import type { KubeObject, RenderedFile } from '../lib/kube-object';
import { listFiles } from '../lib/render/write';
import { runRelease } from '../cli/release-command';
import { runSynth } from '../cli/synth-command';

export const ROOT = join(__dirname, '..');

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Any = any;

/** The committed environment input by name. */
export function environmentInput(name: string): EnvironmentInput {
  return structuredClone(ENVIRONMENTS.find((e) => e.name === name)!);
}

/** Loads and validates one committed environment, optionally changed first. */
export function loadCommitted(name: string, change?: (env: EnvironmentInput) => void): Environment {
  const input = environmentInput(name);
  change?.(input);
  return loadEnvironment(input, join(ROOT, 'environments'));
}

/** Renders one environment in memory, optionally changed first. */
export function render(name: string, change?: (env: EnvironmentInput) => void): RenderedFile[] {
  return renderEnvironment(loadCommitted(name, change), PLATFORMS);
}

/**
 * Asserts that a committed output folder (`dist/` or `argocd/`) holds exactly the rendered files, byte for
 * byte; a failure names the first file that differs.
 */
export function expectCommitted(folder: string, rendered: ReadonlyMap<string, ReadonlyMap<string, string>>): void {
  const fresh = new Map<string, string>();
  for (const [env, files] of rendered) for (const [path, yaml] of files) fresh.set(`${env}/${path}`, yaml);
  const committed = snapshotTree(join(ROOT, folder));
  expect([...committed.keys()]).toEqual([...fresh.keys()].sort());
  for (const [path, yaml] of fresh) expect(`${path}:\n${committed.get(path)}`).toBe(`${path}:\n${yaml}`);
}

/**
 * Builds one Microservice in a fresh chart of a committed environment and returns its objects; props
 * default to a small pinned service with two replicas.
 */
export function buildMicroservice(
  props: Partial<MicroserviceProps>,
  { env = 'prod', platform = 'demo', name = 'demo-api' }: { env?: string; platform?: string; name?: string } = {},
): Any[] {
  const environment = loadCommitted(env);
  const context = new PlatformContext(environment, platform, { enabled: true, services: {}, dataStores: {} });
  const chart = new PlatformChart(new App(), platform, context);
  new Microservice(chart, name, {
    image: { repository: `example.com/${name}`, tag: '1.2.3' },
    scaling: { replicas: 2 },
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } },
    ...props,
  });
  return chart.toJson();
}

export function objects(files: readonly RenderedFile[]): Any[] {
  return files.flatMap((f) => f.objects as KubeObject[]);
}

export function find(files: readonly RenderedFile[], kind: string, name: string, namespace?: string): Any {
  const found = objects(files).find((o) => o.kind === kind && o.metadata.name === name && (!namespace || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
}

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command's entry function (what its CLI file calls) in this process as if it had been started in
 * `dir` with `env` added to its environment variables, and returns what the CLI would have printed. The code
 * is this repository's own: a change to a chart or an environment file in `dir` is not seen (runCli is).
 */
export function runInProcess(dir: string, env: Record<string, string>, command: (io: { stdout: (t: string) => void; stderr: (t: string) => void }) => number): CommandResult {
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  process.chdir(dir);
  Object.assign(process.env, env);
  try {
    const status = command({ stdout: (t) => { stdout += `${t}\n`; }, stderr: (t) => { stderr += `${t}\n`; } });
    return { status, stdout, stderr };
  } finally {
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Runs `node scripts/run.mjs <entry> <args>` in `dir`: the real CLI, as `npm run` starts it. */
export function runCli(dir: string, entry: string, args: readonly string[], env: Record<string, string> = {}): CommandResult {
  const r = spawnSync(process.execPath, ['scripts/run.mjs', entry, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A copy of the repository's sources and dist/ in a temporary folder, for running the commands against changed
 * input without touching the real tree. node_modules is linked, not copied.
 *
 * `synth` and `release` run the commands in this process (see runInProcess): fast, but with this repository's
 * code, so they refuse to run while a `.ts` file of the copy differs from it; `synthCli` and `releaseCli` start the
 * real CLI (a process, and a bundle build the first time), which sees every change.
 */
export class Workspace {
  public readonly dir: string;
  /** `.ts` files of the copy that differ from this repository's: the code in-process commands would not run. */
  private readonly codeChanged = new Set<string>();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'platform-manifests-'));
    for (const entry of ['addons', 'charts', 'environments', 'releases', 'cli', 'lib', 'imports', 'scripts', 'dist', 'argocd', 'docs', 'package.json', 'tsconfig.json']) {
      if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(this.dir, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(this.dir, 'node_modules'));
    // The CLIs' bundles: scripts/run.mjs finds their inputs unchanged by content and skips esbuild, and rebuilds
    // for a file the test changes.
    mkdirSync(join(this.dir, '.build'));
    for (const name of existsSync(join(ROOT, '.build')) ? readdirSync(join(ROOT, '.build')) : []) {
      if (/\.cjs(\.map|\.inputs\.json|\.v8-cache)?$/.test(name)) cpSync(join(ROOT, '.build', name), join(this.dir, '.build', name));
    }
  }

  public edit(file: string, change: (text: string) => string): void {
    const path = join(this.dir, file);
    const before = readFileSync(path, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`edit of ${file} changed nothing`);
    this.write(file, after);
  }

  public read(file: string): string {
    return readFileSync(join(this.dir, file), 'utf8');
  }

  public write(file: string, content: string): void {
    const path = join(this.dir, file);
    if (file.endsWith('.ts')) {
      // Written back as it is in this repository (a test undoing its edit), the in-process commands run it again.
      const original = join(ROOT, file);
      if (existsSync(original) && readFileSync(original, 'utf8') === content) this.codeChanged.delete(file);
      else this.codeChanged.add(file);
    }
    writeFileSync(path, content);
  }

  /** `npm run synth -- <args>` in this process (see runInProcess). */
  public synth(...args: string[]): CommandResult {
    return this.synthWith({}, ...args);
  }

  /** `synth` with extra environment variables. */
  public synthWith(env: Record<string, string>, ...args: string[]): CommandResult {
    this.refuseChangedCode('synth');
    return runInProcess(this.dir, env, (io) => runSynth(args, { ...io, cwd: this.dir, env: { ...process.env } }));
  }

  /**
   * `synth` after changing the environments in memory, by name: what editing `environments/<env>.ts` does to
   * the CLI, and the messages name those files alike.
   */
  public synthChanged(change: (inputs: Record<string, Any>) => void, ...args: string[]): CommandResult {
    this.refuseChangedCode('synth');
    const environmentSources = ENVIRONMENT_SOURCES.map((s) => ({ file: s.file, input: structuredClone(s.input) }));
    change(Object.fromEntries(environmentSources.map((s) => [(s.input as EnvironmentInput).name, s.input])));
    return runInProcess(this.dir, {}, (io) => runSynth(args, { ...io, cwd: this.dir, env: { ...process.env }, environmentSources }));
  }

  /** `npm run synth -- <args>`, the real CLI in a process of its own. */
  public synthCli(...args: string[]): CommandResult {
    return this.synthCliWith({}, ...args);
  }

  /** `synthCli` with extra environment variables. */
  public synthCliWith(env: Record<string, string>, ...args: string[]): CommandResult {
    return runCli(this.dir, 'cli/synth.ts', args, env);
  }

  /** `npm run release -- <args>` in this process (see runInProcess). */
  public release(...args: string[]): CommandResult {
    this.refuseChangedCode('release');
    return runInProcess(this.dir, {}, (io) => runRelease(args, io));
  }

  /** `npm run release -- <args>`, the real CLI in a process of its own. */
  public releaseCli(...args: string[]): CommandResult {
    return runCli(this.dir, 'cli/release.ts', args);
  }

  public remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private refuseChangedCode(command: string): void {
    const [changed] = this.codeChanged;
    if (changed) throw new Error(`${changed} of the workspace was changed: in-process ${command} would not see it; use the CLI`);
  }
}

/** Every file below a folder with its bytes, for before/after comparisons. */
export function snapshotTree(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}
