import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One option of a command, as `node:util` `parseArgs` takes it, plus the line `--help` prints for it. */
export type CommandOption = NonNullable<ParseArgsConfig['options']>[string] & {
  /** What the option does, for `--help`. */
  readonly help: string;
  /** Placeholder of a string option's value in `--help` (default `<value>`). */
  readonly value?: string;
};

export interface CommandSpec {
  /** How the command is run, e.g. `npm run diff -- [options]`. */
  readonly usage: string;
  /** One or two sentences: what the command does. */
  readonly description: string;
  readonly options: Readonly<Record<string, CommandOption>>;
  /** Positional arguments, described for `--help`; none are accepted when absent. */
  readonly positionals?: string;
}

/** Thrown by a command for an argument that parsed but makes no sense; printed with the usage, exit 2. */
export class UsageError extends Error {}

/** The `--help` text of a command. */
export function usage(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? '<value>'}` : ''}`;
    const extra = [o.multiple ? 'repeatable' : '', o.default !== undefined && o.type === 'string' ? `default ${String(o.default)}` : '']
      .filter(Boolean)
      .join(', ');
    return [flag, `${o.help}${extra ? ` (${extra})` : ''}`];
  });
  rows.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `usage: ${spec.usage}`,
    '',
    spec.description,
    ...(spec.positionals ? ['', `arguments: ${spec.positionals}`] : []),
    '',
    'options:',
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`),
    '',
  ].join('\n');
}

/** Parsed arguments, or what to print and the exit code instead: `--help` (0) or a usage mistake (2). */
export type CommandLine =
  | { readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>; readonly positionals: string[] }
  | { readonly exitCode: 0 | 2; readonly stdout?: string; readonly stderr?: string };

/** Parses a command's arguments without printing or exiting; see parseCommandLine. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): CommandLine {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) {
    const { help: _help, value: _value, ...config } = o;
    options[name] = config;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: spec.positionals !== undefined, strict: true });
  } catch (e) {
    return { exitCode: 2, stderr: usageError(spec, (e as Error).message) };
  }
  if (parsed.values.help) return { exitCode: 0, stdout: usage(spec) };
  return { values: parsed.values as Record<string, string | boolean | string[] | boolean[] | undefined>, positionals: parsed.positionals };
}

/**
 * Parses a command's arguments. `--help` prints the usage and exits 0; an unknown flag, a missing value or a
 * positional the command does not take prints the problem and the usage on stderr and exits 2 — never a stack
 * trace.
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[] = process.argv.slice(2)) {
  const parsed = parseCommand(spec, argv);
  if ('exitCode' in parsed) {
    if (parsed.stdout) process.stdout.write(parsed.stdout);
    if (parsed.stderr) process.stderr.write(parsed.stderr);
    process.exit(parsed.exitCode);
  }
  return parsed;
}

/** A usage error and the command's usage, as printed on stderr. */
export function usageError(spec: CommandSpec, message: string): string {
  return `error: ${message}\n\n${usage(spec)}`;
}

/** Prints a usage error and the command's usage on stderr and exits 2. */
export function exitWithUsage(spec: CommandSpec, message: string): never {
  process.stderr.write(usageError(spec, message));
  process.exit(2);
}
