import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS, loadEnvironment } from '../environments';
import { App } from 'cdk8s';
import type { Environment, EnvironmentInput } from '../environments/schema';
import { Microservice, MicroserviceProps } from '../lib/microservice';
import { PlatformChart } from '../lib/platform-chart';
import { PlatformContext } from '../lib/platform-context';
import { PLATFORMS } from '../charts';
import { renderEnvironment } from '../lib/render/build';
import type { KubeObject, RenderedFile } from '../lib/kube-object';
import { listFiles } from '../lib/render/write';

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

/**
 * A copy of the repository's sources and dist/ in a temporary folder, for running the CLI against changed
 * input without touching the real tree. node_modules is linked, not copied.
 */
export class Workspace {
  public readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'platform-manifests-'));
    for (const entry of ['addons', 'charts', 'environments', 'releases', 'cli', 'lib', 'imports', 'scripts', 'dist', 'argocd', 'docs', 'package.json', 'tsconfig.json']) {
      if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(this.dir, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(this.dir, 'node_modules'));
  }

  public edit(file: string, change: (text: string) => string): void {
    const path = join(this.dir, file);
    const before = readFileSync(path, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`edit of ${file} changed nothing`);
    writeFileSync(path, after);
  }

  public read(file: string): string {
    return readFileSync(join(this.dir, file), 'utf8');
  }

  public write(file: string, content: string): void {
    writeFileSync(join(this.dir, file), content);
  }

  public synth(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    return this.synthWith({}, ...args);
  }

  /** `synth` with extra environment variables. */
  public synthWith(env: Record<string, string>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ['scripts/run.mjs', 'cli/synth.ts', ...args], { cwd: this.dir, encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs `npm run release -- <args>` in the workspace. */
  public release(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ['scripts/run.mjs', 'cli/release.ts', ...args], { cwd: this.dir, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  public remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every file below a folder with its bytes, for before/after comparisons. */
export function snapshotTree(dir: string): Map<string, string> {
  return new Map(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}
