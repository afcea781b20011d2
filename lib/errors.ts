import type { z } from 'zod';

/**
 * A mistake in the input (an environment, cluster facts or a chart's props). The render stops, prints the
 * message and exits non-zero without touching `dist/`. Messages name the environment, the service and the
 * field, and say what to change.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
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
