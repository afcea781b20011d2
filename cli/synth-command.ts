import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PLATFORMS } from '../charts';
import { ConfigError } from '../lib/errors';
import { LockTimeoutError } from '../lib/render/lock';
import type { RenderOptions } from '../lib/render/pipeline';
import { synthesize, SynthesizeOptions } from '../lib/render/synthesize';
import { OutputWriteError } from '../lib/render/write';

export const SYNTH_USAGE = `usage: npm run synth [-- [--env <name>]... [--out <dir>] [--argocd-out <dir>] [--docs-out <dir>] [--quiet]]

Renders every environment (or the named ones) into dist/<env>/ and argocd/<env>/, and (all of them only)
the diagrams into docs/platforms/.
  -e, --env <name>      render only this environment; repeat for more
      --out <dir>       root of the rendered manifests (default: dist)
      --argocd-out <dir> root of the Argo CD objects (default: argocd)
      --docs-out <dir>  root of the documentation whose platforms/ holds the diagrams (default: docs)
  -q, --quiet           print nothing on success
  -h, --help            print this help
Options after \`npm run synth\` need a \`--\` before them, or npm takes them for itself.`;

export interface SynthCommandOptions extends Partial<RenderOptions>, Partial<Pick<SynthesizeOptions, 'lockTimeoutMs' | 'fs' | 'beforeRename' | 'lockFile' | 'journal'>> {
  /** The repository root to run in. @default the working directory */
  readonly cwd?: string;
  /** Environment variables (npm's among them). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

/**
 * `npm run synth` as a function: parses the arguments, renders, writes and reports. Every failure is a
 * message that names the cause and the file, never a stack trace.
 * @returns the exit code: 0 rendered, 1 refused (bad input, a failed write), 2 bad arguments
 */
export function runSynth(argv: readonly string[], options: SynthCommandOptions = {}): number {
  const out = options.stdout ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = options.stderr ?? ((t: string) => process.stderr.write(`${t}\n`));
  const cwd = options.cwd ?? process.cwd();
  const started = process.hrtime.bigint();

  let values: { env?: string[]; out?: string; 'argocd-out'?: string; 'docs-out'?: string; quiet?: boolean; help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        env: { type: 'string', multiple: true, short: 'e' },
        out: { type: 'string', default: 'dist' },
        'argocd-out': { type: 'string', default: 'argocd' },
        'docs-out': { type: 'string', default: 'docs' },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    err(`synth: ${argumentProblem(e as NodeJS.ErrnoException & Error)}\n\n${SYNTH_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(SYNTH_USAGE);
    return 0;
  }
  const npmEnv = (options.env ?? process.env).npm_config_env;
  if (values.env === undefined && npmEnv !== undefined && npmEnv !== '') {
    err(`synth: npm took \`--env ${npmEnv === 'true' ? '' : npmEnv}\` for itself, so every environment would render; put -- before the script's options: npm run synth -- --env ${npmEnv === 'true' ? '<name>' : npmEnv}`);
    return 2;
  }
  for (const [flag, value] of [['--env', ...(values.env ?? [])], ['--out', values.out], ['--argocd-out', values['argocd-out']], ['--docs-out', values['docs-out']]].flatMap(([f, ...v]) => v.map((x) => [f, x]))) {
    if (value === undefined || value.trim() === '' || value.startsWith('-')) {
      err(`synth: ${flag} needs a value (got '${value ?? ''}')\n\n${SYNTH_USAGE}`);
      return 2;
    }
  }
  const notRoot = rootProblem(cwd);
  if (notRoot) {
    err(`synth: ${notRoot}; run it from the repository root (the folder with package.json, charts/ and environments/), e.g. \`cd <repository> && npm run synth\``);
    return 2;
  }

  try {
    const result = synthesize({
      ...options,
      platforms: options.platforms ?? PLATFORMS,
      environments: values.env,
      outDir: resolve(cwd, values.out!),
      argocdDir: resolve(cwd, values['argocd-out']!),
      docsDir: resolve(cwd, values['docs-out']!),
      factsDir: options.factsDir ?? join(cwd, 'environments'),
      onLockWait: (holder) => err(`synth: waiting for the output lock, held by ${holder}`),
      onRepair: (what) => err(`synth: repaired an interrupted earlier run: ${what}`),
    });
    for (const w of result.warnings) err(`synth: warning: ${w}`);
    if (!values.quiet) {
      const { summary: s, written, unchanged, removed } = result;
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      out(
        `rendered ${s.environments.length} environment(s) [${s.environments.join(', ')}], ` +
          `${s.platforms.length} platform(s) [${s.platforms.join(', ')}], ${s.addons.length} add-on(s) [${s.addons.join(', ')}], ${s.fileCount} files, ${s.objectCount} objects, ` +
          `${s.argocdFileCount} Argo CD files in ${ms} ms (${written} written, ${unchanged} unchanged, ${removed} removed)`,
      );
      if (!s.docs) out('docs/platforms/ not updated: its diagrams show every environment; run `npm run synth` without --env to update them');
      if (s.helmRendered.length > 0) out(`helm rendered ${s.helmRendered.length} add-on release(s) whose chart or values changed: ${s.helmRendered.join(', ')}`);
      if (s.policy.exemptions.length > 0) {
        out(`policy opt-outs (${s.policy.exemptions.length}):`);
        for (const x of s.policy.exemptions) out(`  - [${x.rule}] ${x.file}: ${x.object}: ${x.reason}`);
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`synth failed, dist/ and argocd/ left unchanged:\n${e.message}`);
    } else if (e instanceof OutputWriteError) {
      err(`synth failed while writing, dist/ and argocd/ left as they were before this run:\n${e.message}`);
    } else if (e instanceof LockTimeoutError) {
      err(`synth failed, dist/ and argocd/ left unchanged: ${e.message}`);
    } else {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      err(`synth failed with an unexpected error, dist/ and argocd/ left unchanged: ${error}`);
    }
    return 1;
  }
}

function argumentProblem(e: NodeJS.ErrnoException & Error): string {
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'. To render one environment: npm run synth -- --env ${quoted} (npm needs the -- before the script's own options)`;
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'; the options are --env/-e <name>, --out <dir>, --argocd-out <dir>, --docs-out <dir>, --quiet/-q and --help/-h`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${/--[\w-]+/.exec(e.message)?.[0] ?? 'an option'} needs a value, e.g. --env prod (environments: see environments/)`;
    default:
      return e.message;
  }
}

/** Why `cwd` is not the repository root, if it is not. */
function rootProblem(cwd: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: string };
    if (pkg.name === 'platform-manifests' && existsSync(join(cwd, 'environments')) && existsSync(join(cwd, 'charts'))) return undefined;
  } catch {
    // no package.json here
  }
  return `${cwd} is not the repository root`;
}
