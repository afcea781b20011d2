import { spawn } from 'node:child_process';
import { parseCommandLine, usage, type CommandSpec } from '../cli/args';
import { ROOT } from './helpers';

/** Every command has --help; an unknown flag prints the usage and exits 2, never a stack trace. */
const COMMANDS: Record<string, readonly string[]> = {
  diff: ['node', 'scripts/run.mjs', 'cli/diff.ts'],
  check: ['node', 'scripts/run.mjs', 'cli/check.ts'],
  bench: ['node', 'scripts/run.mjs', 'bench/bench.ts'],
  'validate:server': ['node', 'scripts/run.mjs', 'tools/apiserver/validate-server.ts'],
  'validate:argocd': ['node', 'scripts/run.mjs', 'tools/argocd/validate-argocd.ts'],
  'addons:verify': ['node', 'scripts/run.mjs', 'cli/verify-addons.ts'],
  'addons:crds': ['node', 'scripts/run.mjs', 'scripts/vendor-crds.ts'],
  schemas: ['node', 'scripts/run.mjs', 'scripts/pin-schemas.ts'],
  validate: ['bash', 'scripts/validate.sh'],
  import: ['bash', 'scripts/import-crds.sh'],
};

function run(command: readonly string[], ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const [bin, ...rest] = command;
    const child = spawn(bin === 'node' ? process.execPath : bin, [...rest, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

// The commands at once (each is a process start and an argument check), each command's two runs in turn: the
// first may (re)build its bundle in .build/.
const runs = Object.fromEntries(
  Object.entries(COMMANDS).map(([name, c]) => {
    const bad = run(c, '--no-such-flag');
    return [name, { bad, help: bad.then(() => run(c, '--help')) }];
  }),
);
const unknown = Object.fromEntries(Object.entries(runs).map(([n, r]) => [n, r.bad]));
const help = Object.fromEntries(Object.entries(runs).map(([n, r]) => [n, r.help]));

describe('command line of every command', () => {
  test.each(Object.keys(COMMANDS))('%s: an unknown flag prints the problem and the usage and exits 2', async (name) => {
    const r = await unknown[name];
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown (option|argument) '--no-such-flag'/i);
    expect(r.stderr).toMatch(new RegExp(`usage: npm run ${name}`));
    expect(r.stderr).not.toMatch(/\n\s+at .*\(|node:internal/);
  });

  test.each(Object.keys(COMMANDS))('%s --help prints the usage and exits 0', async (name) => {
    const r = await help[name];
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: npm run ${name}`));
  });

  test('the shared helper: defaults, repeatable options and the options in --help', () => {
    const spec: CommandSpec = {
      usage: 'npm run x -- [--env <name>]...',
      description: 'Does x.',
      options: { env: { type: 'string', multiple: true, short: 'e', value: '<name>', help: 'an environment' }, quiet: { type: 'boolean', help: 'say less' } },
    };
    expect(parseCommandLine(spec, ['-e', 'dev', '--env', 'prod']).values).toEqual({ env: ['dev', 'prod'] });
    expect(usage(spec)).toBe([
      'usage: npm run x -- [--env <name>]...', '', 'Does x.', '', 'options:',
      '  -e, --env <name>  an environment (repeatable)', '      --quiet       say less', '  -h, --help        print this help and exit', '',
    ].join('\n'));
  });
});
