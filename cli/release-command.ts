import { join } from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { PLATFORMS } from '../charts';
import { ENVIRONMENTS } from '../environments';
import { loadReleases, RELEASES_DIR } from '../environments/releases';
import type { EnvironmentInput } from '../environments/schema';
import { ConfigError } from '../lib/errors';
import { applyReleases } from '../lib/release/apply-release';
import {
  describeChange, formatStatus, parseRelease, parseServiceRef, planPromotion, planSet, ReleaseChange, releaseStatus,
} from '../lib/release/release-plan';

/**
 * `npm run release -- <set|promote|status>` as a function (cli/release.ts runs it): what runs where, as
 * data (`releases/<env>.json`). `set` is what an app pipeline calls after pushing an image; `promote` copies
 * tested versions to the next environment; `status` shows every environment side by side. Bad input exits 1
 * and writes nothing; a usage mistake exits 2.
 */

export const RELEASE_USAGE = `usage: npm run release -- <command> [options]

commands:
  set      record a new image of one service in one environment, re-render, print the rendered diff
  promote  copy the releases tested in one environment into another, re-render, print what changes
  status   what runs in each environment, per service, and where they differ

npm run release -- <command> --help shows the options of a command; docs/releases.md has the whole story.`;

interface Command {
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly run: (values: Record<string, string | boolean | string[] | undefined>, out: (text: string) => void) => number;
}

const environmentNames = () => ENVIRONMENTS.map((e) => e.name).join(', ');

function environmentInput(name: unknown, flag: string): EnvironmentInput {
  const input = ENVIRONMENTS.find((e) => e.name === name);
  if (!input) throw new ConfigError(`${flag} '${String(name)}' is not an environment (environments: ${environmentNames()})`);
  return input;
}

function required(values: Record<string, unknown>, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string') throw new UsageError(`--${flag} is required`);
  return value;
}

class UsageError extends Error {}

const root = () => process.cwd();
const releasesDir = () => join(root(), RELEASES_DIR);

function report(out: (text: string) => void, verb: string, environment: string, changes: readonly ReleaseChange[], dryRun: boolean): void {
  out(`${verb} ${environment}: ${changes.length} change(s)${dryRun ? ' (dry run: nothing written)' : ''}`);
  for (const change of changes) out(`  ${describeChange(change)}`);
}

const COMMANDS: Record<string, Command> = {
  set: {
    usage: `usage: npm run release -- set --env <environment> --service <platform>/<service> --tag <tag> [--digest sha256:<hex>] [--dry-run]

Records the image of one service in releases/<env>.json, re-renders dist/<env>/ and argocd/<env>/, and prints
the change and the rendered-manifest diff (Markdown, ready for a pull request body). An environment with
immutable images (prod) needs --digest. Nothing is written unless the whole environment renders and passes
the policy gate.

  --env <name>        environment (${environmentNames()})
  --service <p>/<s>   platform and service, e.g. sales-order/order-service
  --tag <tag>         the image tag the pipeline pushed, e.g. 2.0.5 or main-3f2a1c9 (never latest)
  --digest <digest>   the image's digest, sha256:<64 hex digits>
  --dry-run           render and print the diff, write nothing
  -h, --help          this text`,
    options: { env: { type: 'string' }, service: { type: 'string' }, tag: { type: 'string' }, digest: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    run: (values, out) => {
      const env = environmentInput(required(values, 'env'), '--env');
      const ref = parseServiceRef(required(values, 'service'));
      const release = parseRelease(required(values, 'tag'), values.digest as string | undefined);
      const current = loadReleases(env.name, releasesDir());
      const { releases, changes } = planSet(current, { name: env.name, imagePolicy: env.imagePolicy }, ref, release);
      if (changes.length === 0) {
        out(`set ${env.name}: ${ref.platform}/${ref.service} already runs ${release.tag}${release.digest ? `@${release.digest}` : ''}; nothing written`);
        return 0;
      }
      const result = applyReleases(env.name, releases, { root: root(), platforms: PLATFORMS, dryRun: values['dry-run'] === true });
      report(out, 'set', env.name, changes, !result.written);
      out(`\n${result.diff}`);
      return 0;
    },
  },
  promote: {
    usage: `usage: npm run release -- promote --from <environment> --to <environment> [--service <platform>/<service>]... [--dry-run]

Copies the releases of the source environment (all of them, or the services named) into the target exactly
as they are, tag and digest, re-renders the target and prints what changes. Refuses, writing nothing, when a
release that would change an environment with immutable images (prod) has no digest in the source.

  --from <name>       the environment where the versions were tested (${environmentNames()})
  --to <name>         the environment they go to
  --service <p>/<s>   only this service; repeat for more
  --dry-run           print what would change, write nothing
  -h, --help          this text`,
    options: { from: { type: 'string' }, to: { type: 'string' }, service: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' } },
    run: (values, out) => {
      const from = environmentInput(required(values, 'from'), '--from');
      const to = environmentInput(required(values, 'to'), '--to');
      if (from.name === to.name) throw new ConfigError(`--from and --to are both '${from.name}'`);
      const only = (values.service as string[] | undefined)?.map(parseServiceRef);
      const { releases, changes } = planPromotion(
        { name: from.name, releases: loadReleases(from.name, releasesDir()) },
        { name: to.name, imagePolicy: to.imagePolicy, releases: loadReleases(to.name, releasesDir()) },
        only,
      );
      if (changes.length === 0) {
        out(`promote ${from.name} → ${to.name}: ${to.name} already runs what ${from.name} runs${only ? ' for the services named' : ''}; nothing written`);
        return 0;
      }
      const result = applyReleases(to.name, releases, { root: root(), platforms: PLATFORMS, dryRun: values['dry-run'] === true });
      report(out, `promote ${from.name} →`, to.name, changes, !result.written);
      out(`\n${result.diff}`);
      return 0;
    },
  },
  status: {
    usage: `usage: npm run release -- status [--json]

Per service, the release (tag, digest) each environment runs, in promotion order (${environmentNames()}), and
which services differ between them. Reads releases/<env>.json only.

  --json       the same as JSON: [{ platform, service, releases: { <env>: { tag, digest? } }, differs }]
  -h, --help   this text`,
    options: { json: { type: 'boolean' } },
    run: (values, out) => {
      const environments = ENVIRONMENTS.map((e) => ({ name: e.name, releases: loadReleases(e.name, releasesDir()) }));
      const rows = releaseStatus(environments);
      if (values.json) out(JSON.stringify(rows, null, 2));
      else out(formatStatus(environments.map((e) => e.name), rows));
      return 0;
    },
  },
};

export interface ReleaseCommandOptions {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

/**
 * Runs one release command in the working directory (the repository root).
 * @returns the exit code: 0 done, 1 refused (bad input; nothing written), 2 a usage mistake
 */
export function runRelease(argv: readonly string[], options: ReleaseCommandOptions = {}): number {
  const out = options.stdout ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = options.stderr ?? ((t: string) => process.stderr.write(`${t}\n`));
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? err : out)(RELEASE_USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`release: unknown command '${name}'\n\n${RELEASE_USAGE}`);
    return 2;
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    err(`release ${name}: ${(e as Error).message}\n\n${command.usage}`);
    return 2;
  }
  if (values.help) {
    out(command.usage);
    return 0;
  }
  try {
    return command.run(values, out);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`release ${name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      err(`release ${name} failed, nothing written:\n${e.message}`);
      return 1;
    }
    throw e;
  }
}

