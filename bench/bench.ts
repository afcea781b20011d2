// `npm run bench [-- --sizes 10,100,1000 --runs 3 --skip-cdk8s]`: renders synthetic platforms of N services
// per environment (three environments) through the project's constructs, alternating our render path with
// the way `cdk8s synth` renders the same app by default, and the real platforms end to end. Prints a
// Markdown table of median wall time, peak memory and ratio, and writes it as JSON for comparison over time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitWithUsage, parseCommandLine } from '../cli/args';

/** The committed results (`--update`); a plain run writes the git-ignored one beside it. */
const COMMITTED = 'bench/results/latest.json';
const SCRATCH = 'bench/results/latest.tmp.json';

const spec = {
  usage: 'npm run bench -- [--sizes 10,100,1000] [--runs 3] [--skip-cdk8s] [--update | --out <file.json>]',
  description:
    'Renders synthetic platforms of N services per environment (three environments) through our render path and the\n' +
    "way `cdk8s synth` does by default, and the real platforms end to end; prints median wall time, peak memory and the\n" +
    `targets. Results go to ${SCRATCH} (git-ignored); --update writes the committed ${COMMITTED}.`,
  options: {
    sizes: { type: 'string', value: '<n,n,...>', help: 'services per environment, comma-separated', default: '10,100,1000' },
    runs: { type: 'string', value: '<n>', help: 'runs per case (the median is reported)', default: '3' },
    'skip-cdk8s': { type: 'boolean', help: 'leave out the cdk8s synth baseline (minutes at 3 × 1000)' },
    update: { type: 'boolean', help: `write the committed ${COMMITTED}` },
    out: { type: 'string', value: '<file.json>', help: `write the results here instead (default ${SCRATCH})` },
  },
} as const;

interface Sample { readonly seconds: number; readonly peakMb: number | null }
interface Row {
  readonly case: string;
  readonly servicesPerEnvironment: number | null;
  readonly ours: Summary;
  readonly cdk8s: Summary | null;
  readonly ratio: number | null;
}
interface Summary { readonly medianSeconds: number; readonly peakMb: number | null; readonly runs: number }

const ROOT = process.cwd();
const TIME = '/usr/bin/time';

function measure(command: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const timing = join(tmpdir(), `bench-time-${process.pid}`);
  const useTime = existsSync(TIME);
  const argv = useTime ? [TIME, '-f', '%e %M', '-o', timing, ...command] : command;
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${command.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const peakKb = useTime ? Number(readFileSync(timing, 'utf8').trim().split(/\s+/).pop()) : NaN;
  return { seconds, peakMb: Number.isFinite(peakKb) ? Math.round(peakKb / 1024) : null };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const summarise = (samples: Sample[]): Summary => ({
  medianSeconds: Number(median(samples.map((s) => s.seconds)).toFixed(3)),
  peakMb: samples.some((s) => s.peakMb === null) ? null : Math.max(...samples.map((s) => s.peakMb!)),
  runs: samples.length,
});

function main(): void {
  const { values } = parseCommandLine(spec);
  const sizes = String(values.sizes).split(',').map(Number);
  const runs = Number(values.runs);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) exitWithUsage(spec, `--sizes must be positive whole numbers separated by commas, got '${String(values.sizes)}'`);
  if (!Number.isInteger(runs) || runs < 1) exitWithUsage(spec, `--runs must be a positive whole number, got '${String(values.runs)}'`);
  if (values.update && values.out) exitWithUsage(spec, '--update and --out exclude each other');
  const out = values.update ? COMMITTED : String(values.out ?? SCRATCH);
  const work = mkdtempSync(join(tmpdir(), 'bench-'));
  const rows: Row[] = [];
  try {
    // Warm-up: the transpile cache of scripts/run.mjs and ts-node's first start are not what we measure.
    measure(['node', 'scripts/run.mjs', 'bench/render-fast.ts', join(work, 'warm')], { BENCH_SERVICES: '1' });

    const real: Sample[] = [];
    const realProcess: Sample[] = [];
    const nodeAlone: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      nodeAlone.push(measure(['node', '-e', '0']));
      real.push(measure(['npm', 'run', '--silent', 'synth', '--', '--quiet']));
      realProcess.push(measure(['node', 'scripts/run.mjs', 'cli/synth.ts', '--quiet']));
    }
    rows.push({ case: 'real platforms: npm run synth (end to end)', servicesPerEnvironment: null, ours: summarise(real), cdk8s: null, ratio: null });
    rows.push({ case: 'real platforms: render process', servicesPerEnvironment: null, ours: summarise(realProcess), cdk8s: null, ratio: null });
    // The floor under both: starting Node itself on this machine.
    rows.push({ case: 'for reference: node -e 0', servicesPerEnvironment: null, ours: summarise(nodeAlone), cdk8s: null, ratio: null });

    for (const n of sizes) {
      const ours: Sample[] = [];
      const theirs: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        const runOurs = () => ours.push(measure(['node', 'scripts/run.mjs', 'bench/render-fast.ts', join(work, `ours-${n}`)], { BENCH_SERVICES: String(n) }));
        const runTheirs = () => {
          const out = join(work, `cdk8s-${n}-${i}`);
          theirs.push(measure(['npx', 'cdk8s', 'synth', '--app', 'npx ts-node bench/cdk8s-app.ts', '--output', out], { BENCH_SERVICES: String(n), CDK8S_CHECK_UPGRADE: 'false' }));
          rmSync(out, { recursive: true, force: true });
        };
        // Alternate the order so neither side always runs on a warmer machine.
        if (values['skip-cdk8s']) runOurs();
        else if (i % 2 === 0) { runOurs(); runTheirs(); } else { runTheirs(); runOurs(); }
      }
      const o = summarise(ours);
      const t = theirs.length ? summarise(theirs) : null;
      rows.push({ case: `synthetic: 3 × ${n} services`, servicesPerEnvironment: n, ours: o, cdk8s: t, ratio: t ? Number((t.medianSeconds / o.medianSeconds).toFixed(1)) : null });
      process.stderr.write(`  3 × ${n}: ours ${o.medianSeconds}s${t ? `, cdk8s synth ${t.medianSeconds}s` : ''}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const fmt = (s: Summary | null) => (s ? `${s.medianSeconds.toFixed(2)} s / ${s.peakMb ?? '?'} MB` : '—');
  const lines = [
    `| case | ours (median / peak) | cdk8s synth (median / peak) | ratio | ours per service |`,
    `|---|---|---|---|---|`,
    ...rows.map((r) => `| ${r.case} | ${fmt(r.ours)} | ${fmt(r.cdk8s)} | ${r.ratio ? `${r.ratio}×` : '—'} | ${r.servicesPerEnvironment ? `${((r.ours.medianSeconds / (3 * r.servicesPerEnvironment)) * 1000).toFixed(2)} ms` : '—'} |`),
  ];
  console.log(lines.join('\n'));
  const perService = (n: number) => rows.find((r) => r.servicesPerEnvironment === n)?.ours.medianSeconds! / (3 * n);
  const at = (n: number) => rows.find((r) => r.servicesPerEnvironment === n);
  const targets = [
    ['npm run synth, real platforms, ≤ 1 s', rows[0].ours.medianSeconds <= 1],
    ['render process, real platforms, ≤ 0.4 s', rows[1].ours.medianSeconds <= 0.4],
    ...(at(1000) ? [['3 × 1000 services ≤ 5 s and ≤ 256 MB', at(1000)!.ours.medianSeconds <= 5 && (at(1000)!.ours.peakMb ?? 0) <= 256]] : []),
    ...(at(100) && at(1000) ? [['time per service at N=1000 within 1.3× of N=100', perService(1000) <= 1.3 * perService(100)]] : []),
    ...[100, 1000].filter((n) => at(n)?.ratio).map((n) => [`≥ 8× faster than cdk8s synth at 3 × ${n}`, at(n)!.ratio! >= 8]),
  ] as [string, boolean][];
  console.log(`\n${targets.map(([name, ok]) => `${ok ? 'PASS' : 'FAIL'}  ${name}`).join('\n')}`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, out), `${JSON.stringify({ machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version }, runs, rows, targets: Object.fromEntries(targets) }, null, 2)}\n`);
  console.log(`results: ${out}${values.update ? '' : ' (git-ignored; --update writes the committed ' + COMMITTED + ')'}`);
  if (targets.some(([, ok]) => !ok)) process.exitCode = 1;
}

main();
