import type { z } from 'zod';

/**
 * Whom a mistake in the input concerns, as data. The message starts with it in words, in this order:
 * `environment prod, service order-service (platform sales-order): charts/sales-order/order-service.ts: exposure.hosts: …`.
 */
export interface ErrorSubject {
  readonly environment: string;
  readonly platform?: string;
  /** The component, and its kind as the message names it: `service`, `data-store`, `external-database`, `job`. */
  readonly component?: { readonly name: string; readonly kind: string };
  /** The part of the component that is wrong, e.g. its `exporter`. @default the component itself */
  readonly part?: string;
  /** The file that holds the bad value: a chart, `environments/<env>.ts`, `releases/<env>.json`. @default not named */
  readonly file?: string;
  /** The field that holds it, e.g. `exposure.hosts`. @default not named (the message names the fields) */
  readonly field?: string;
}

/** The subject in words: `environment prod, service order-service (platform sales-order): <file>: <field>`. */
export function describeSubject(subject: ErrorSubject): string {
  const { environment, platform, component, part } = subject;
  const who = component
    ? `, ${component.kind} ${component.name}${platform ? ` (platform ${platform})` : ''}`
    : platform ? `, platform ${platform}` : '';
  return [`environment ${environment}${who}${part ? `, ${part}` : ''}`, subject.file, subject.field].filter((s) => s).join(': ');
}

/**
 * A mistake in the input (an environment, cluster facts or a chart's props). The render stops, prints the
 * message and exits non-zero without touching `dist/`. Messages name the environment, the service and the
 * field, and say what to change; `subject` carries the first three as data where the thrower knows them.
 */
export class ConfigError extends Error {
  /** Whom the mistake concerns. @default unknown: the message alone says it */
  public readonly subject?: ErrorSubject;

  constructor(message: string);
  /** The message is the subject in words, then `: ` and `problem`. */
  constructor(subject: ErrorSubject, problem: string);
  constructor(subjectOrMessage: ErrorSubject | string, problem?: string) {
    super(typeof subjectOrMessage === 'string' ? subjectOrMessage : `${describeSubject(subjectOrMessage)}: ${problem}`);
    this.name = 'ConfigError';
    if (typeof subjectOrMessage !== 'string') this.subject = subjectOrMessage;
  }
}

/**
 * Renders zod issues as `  - path.to.field: message (got value)` lines. Parse with `{ reportInput: true }`
 * so the issues carry the value that was refused.
 */
export function formatZodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  return error.issues
    .map((issue) => {
      const path = [...prefix, ...issue.path].map(String).join('.');
      // A record's key is refused with the key schema's own words, not zod's "Invalid key in record".
      const message = issue.code === 'invalid_key' ? issue.issues.map((i) => i.message).join('; ') : issue.message;
      return `  - ${path || '(top level)'}: ${message}${given(issue)}`;
    })
    .join('\n');
}

function given(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys' || !('input' in issue)) return '';
  const input = (issue as { input?: unknown }).input;
  if (input === undefined) return issue.code === 'invalid_type' ? ' (missing)' : '';
  if (typeof input === 'object' && input !== null) return '';
  const shown = JSON.stringify(input);
  return ` (got ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown})`;
}
