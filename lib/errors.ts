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

/** Renders zod issues as `  - path.to.field: message` lines. */
export function formatZodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  return error.issues
    .map((issue) => {
      const path = [...prefix, ...issue.path].map(String).join('.');
      return `  - ${path || '(root)'}: ${issue.message}`;
    })
    .join('\n');
}
