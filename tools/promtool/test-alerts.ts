// test:alerts — runs the rendered alerts through the real Prometheus rule engine (promtool, built from Go
// modules by tools/promtool/build.sh):
//   1. every PrometheusRule in dist/ becomes a plain rule file and passes `promtool check rules`;
//   2. the unit tests in test/alerts/*.yaml feed breaking (and healthy) samples to those rules with
//      `promtool test rules`;
//   3. every alert a platform renders is expected to fire by at least one of those tests (the rules an add-on's
//      chart ships, kube-prometheus-stack's, are upstream's and tested there: here they pass step 1 only);
//   4. self-test: the known-bad fixture (a rule that cannot fire on its breaking sample) must make promtool fail,
//      so the check is proven able to fail.
//
//   node scripts/run.mjs tools/promtool/test-alerts.ts [--no-self-test]
//
// Environment: PROMTOOL (default .tools/promtool/bin/promtool).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { PLATFORMS } from '../../charts';

function findRoot(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'tools', 'promtool', 'build.sh'))) return d;
    if (dirname(d) === d) return process.cwd();
  }
}

const root = findRoot();
const promtool = process.env.PROMTOOL ?? join(root, '.tools', 'promtool', 'bin', 'promtool');
const testsDir = join(root, 'test', 'alerts');
const knownBad = join(root, 'tools', 'promtool', 'testdata', 'known-bad');
const selfTest = !process.argv.includes('--no-self-test');

function fail(message: string): never {
  console.error(`test:alerts: ${message}`);
  process.exit(1);
}

function run(args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(promtool, args, { cwd, encoding: 'utf8' });
  if (r.error) fail(`cannot run ${promtool}: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function alertsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.yaml')) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

/** Alert names a promtool test file expects to fire (exp_alerts not empty). */
function expectedToFire(testFile: string): Set<string> {
  const doc = parse(readFileSync(testFile, 'utf8')) ?? {};
  const names = new Set<string>();
  for (const test of doc.tests ?? []) {
    for (const t of test.alert_rule_test ?? []) if ((t.exp_alerts ?? []).length > 0) names.add(t.alertname);
  }
  return names;
}

if (!existsSync(promtool)) fail(`${relative(root, promtool)} is missing; build it with: bash tools/promtool/build.sh`);
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'test-alerts-'));
try {
  // 1. Rendered PrometheusRules → rule files laid out as <env>/<platform>.rules.yaml, next to the tests.
  const rendered = new Map<string, Set<string>>(); // alert name → files rendering it, platforms' alerts only
  const platforms = new Set(PLATFORMS.map((p) => p.name));
  let ruleFiles = 0;
  let upstreamAlerts = 0;
  const targets: string[] = [];
  for (const file of alertsFiles(join(root, 'dist'))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('kind: PrometheusRule')) continue;
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS();
      if (object?.kind !== 'PrometheusRule') continue;
      const [env, folder] = relative(join(root, 'dist'), file).split('/');
      const own = platforms.has(folder);
      const target = join(work, env, own ? `${folder}.rules.yaml` : `addons/${folder}-${object.metadata.name}.rules.yaml`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, stringify({ groups: object.spec.groups }));
      ruleFiles++;
      for (const group of object.spec.groups) {
        for (const rule of group.rules) {
          if (!rule.alert) continue;
          if (own) rendered.set(rule.alert, new Set([...(rendered.get(rule.alert) ?? []), relative(root, file)]));
          else upstreamAlerts++;
        }
      }
      targets.push(relative(work, target));
    }
  }
  if (ruleFiles === 0) fail('no PrometheusRule found in dist/; run npm run synth first');
  // One promtool for every file: its start-up is most of the time. The output names each file.
  const check = run(['check', 'rules', '--lint=none', ...targets], work);
  if (check.status !== 0) fail(`promtool check rules rejects rendered rules (<env>/<platform>.rules.yaml = dist/<env>/<platform>/alerts.yaml):\n${check.output}`);

  // 2. The unit tests, run against those rule files.
  const tests = readdirSync(testsDir).filter((f) => f.endsWith('.yaml')).sort();
  if (tests.length === 0) fail(`no tests in ${relative(root, testsDir)}`);
  for (const t of tests) cpSync(join(testsDir, t), join(work, t));
  const result = run(['test', 'rules', ...tests], work);
  if (result.status !== 0) fail(`promtool test rules failed:\n${result.output}`);

  // 3. Coverage: every rendered alert has a test that makes it fire.
  const covered = new Set(tests.flatMap((t) => [...expectedToFire(join(testsDir, t))]));
  const untested = [...rendered.keys()].filter((a) => !covered.has(a)).sort();
  if (untested.length > 0) {
    fail(`alerts without a test that makes them fire (add one to ${relative(root, testsDir)}/):\n` +
      untested.map((a) => `  - ${a} (rendered in ${[...rendered.get(a)!].slice(0, 3).join(', ')})`).join('\n'));
  }

  // 4. Self-test: a rule that cannot fire on its breaking sample must fail the run.
  if (selfTest) {
    const fixtures = readdirSync(knownBad).filter((f) => f.endsWith('.test.yaml'));
    if (fixtures.length === 0) fail(`no known-bad fixture in ${relative(root, knownBad)}`);
    for (const fixture of fixtures) {
      const bad = run(['test', 'rules', fixture], knownBad);
      if (bad.status === 0) fail(`self-test: promtool accepted the known-bad fixture ${fixture}; the check cannot fail`);
    }
  }
  console.log(`test:alerts: ${ruleFiles} rule file(s) checked, ${rendered.size} platform alert(s) fired by ${tests.length} test file(s)` +
    ` (${upstreamAlerts} add-on chart alert rule(s) checked only)` +
    `${selfTest ? ', known-bad fixture rejected' : ''} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
