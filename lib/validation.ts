import { z } from 'zod';

/**
 * The building blocks of every input schema (environments, cluster facts, chart props), so a value means the
 * same and is refused with the same words wherever it is written. Each message says what is allowed; the
 * formatter (lib/errors.ts) adds the path and the value that was given.
 */

/** Code-point order, the same under every locale (never the locale's collation: in cs_CZ "ch" sorts after "h"). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Like `z.strictObject`, but an unknown key is refused with the allowed ones and the closest to the typo.
 * @param moved keys that used to be allowed here → what to write instead
 */
export function strictObject<T extends z.ZodRawShape>(shape: T, moved: Readonly<Record<string, string>> = {}) {
  const allowed = Object.keys(shape).sort(byCodePoint);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const keys = (issue as { keys: string[] }).keys;
      const hints = keys.map((k) => (moved[k] ? `write ${moved[k]} instead of '${k}'` : closest(k, allowed)))
        .filter((k): k is string => k !== undefined)
        .map((h) => (h.startsWith('write ') ? h : `did you mean '${h}'?`));
      return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}` +
        (hints.length > 0 ? ` (${hints.join('; ')})` : '') +
        `; allowed: ${allowed.join(', ')}`;
    },
  });
}

/** The allowed key within two edits of a misspelled one (case-insensitive), if any. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

// ---- Quantities -------------------------------------------------------------------------------------------

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** CPU in cores: `250m` → 0.25, `1.5` → 1.5. */
export function cpuCores(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

/** Bytes of a binary-suffixed quantity: `512Mi` → 536870912. */
export function bytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  return match ? Number(match[1]) * BINARY[match[2]] : Number.NaN;
}

export const cpu = z
  .string()
  .regex(/^([1-9]\d*m|\d+(\.\d{1,3})?)$/, 'must be a CPU quantity: millicores such as 250m, or cores such as 1 or 1.5')
  .refine((q) => cpuCores(q) > 0, 'must be more than 0');
export const memory = z
  .string()
  .regex(/^[1-9]\d*(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity with a binary suffix (Ki, Mi, Gi, Ti), such as 512Mi or 2Gi');
/** A volume size; Mi at least, as EBS allocates whole GiB anyway. */
export const storage = z
  .string()
  .regex(/^[1-9]\d*(Mi|Gi|Ti)$/, 'must be a volume size with a binary suffix (Mi, Gi, Ti), such as 20Gi');

/** Requests and limits of a container; a limit below its request is refused (the pod would not schedule). */
export const resourcesSchema = strictObject({
  requests: strictObject({ cpu, memory }),
  /** CPU limits are optional on purpose: they throttle latency-sensitive JVMs. Memory limits are not. */
  limits: strictObject({ cpu: cpu.optional(), memory }),
}).superRefine((r, ctx) => {
  if (bytes(r.limits.memory) < bytes(r.requests.memory)) {
    ctx.addIssue({
      code: 'custom',
      path: ['limits', 'memory'],
      message: `limit ${r.limits.memory} is below the request ${r.requests.memory}; the limit must be ≥ the request`,
    });
  }
  if (r.limits.cpu !== undefined && cpuCores(r.limits.cpu) < cpuCores(r.requests.cpu)) {
    ctx.addIssue({
      code: 'custom',
      path: ['limits', 'cpu'],
      message: `limit ${r.limits.cpu} is below the request ${r.requests.cpu}; the limit must be ≥ the request (or leave it out)`,
    });
  }
});

// ---- Names ------------------------------------------------------------------------------------------------

/** A DNS-1035 label: what a Service name must be (and so every object the construct names after it). */
export const dns1035Label = z
  .string()
  .max(63, 'must be at most 63 characters (a DNS-1035 label)')
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, such as web-app");
/** A DNS-1123 subdomain: names of Secrets, ConfigMaps and most other objects. */
export const dns1123Subdomain = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "must be a lower-case DNS-1123 name: letters, digits, '-' and '.'");
/** Name of an environment: short, lower-case, the name of its file and folders. */
export const envName = z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, "must be a short lower-case name (letters, digits, '-'; at most 20) such as prod");
/** A Git repository URL Argo CD can clone: with a scheme, or the scp-like SSH form. */
export const gitRepoUrl = z
  .string()
  .regex(
    /^(https:\/\/[^\s/]+\/\S+|ssh:\/\/[^\s/]+\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s/]\S*)$/,
    'must be a Git URL Argo CD can clone: https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git',
  );
/** A lower-case DNS hostname with at least two labels. */
export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lower-case DNS hostname such as shop.example.com');
/** An IANA service name: what a container or Service port may be called. */
export const portName = z
  .string()
  .regex(/^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "must be a port name: at most 15 lower-case letters, digits and '-', with a letter");
export const portNumber = z.number().int('must be a whole number').min(1, 'must be a port 1–65535').max(65535, 'must be a port 1–65535');
/** Key of an environment variable (and so of a ConfigMap injected with envFrom). */
export const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name: letters, digits and _, not starting with a digit, such as LOG_LEVEL');
/** Key of a ConfigMap mounted as files. */
export const configMapKey = z
  .string()
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/, "must be a ConfigMap key: letters, digits, '-', '_' and '.', such as nginx.conf")
  .refine((k) => k !== '.' && k !== '..', "must not be '.' or '..'");
export const absolutePath = z.string().regex(/^\/[^\s]*$/, "must be an absolute path without spaces, such as /etc/app");
/** An HTTP path prefix for routing. */
export const httpPath = z.string().regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, "must be an HTTP path starting with '/', such as /api/orders");

/** `/api/orders/` → `/api/orders`: Prefix paths match whole path elements, so a trailing slash changes nothing. */
export function normalisePath(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

// ---- Credentials in plain configuration -------------------------------------------------------------------

const CREDENTIAL_NAME = /(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|CREDENTIALS?|APIKEY|PRIVATEKEY)(_|$)|(^|_)(API|ACCESS|PRIVATE|SECRET|SIGNING|ENCRYPTION|CLIENT)_KEY(_|$)/i;
/** Names that say where a credential is, not what it is (`PASSWORD_FILE`, `TOKEN_URL`). */
const CREDENTIAL_REFERENCE = /_(FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|PORT|NAME|ID|LENGTH|TTL|TIMEOUT)$/i;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/**
 * Why a plain configuration entry looks like a credential (committed to Git in a ConfigMap), if it does.
 * The fix is always the same: the `secrets` prop, which renders an ExternalSecret.
 */
export function credentialInConfig(key: string, value: string): string | undefined {
  if (CREDENTIAL_NAME.test(key) && !CREDENTIAL_REFERENCE.test(key)) return `${key} looks like a credential`;
  if (URL_WITH_PASSWORD.test(value)) return `${key} holds a URL with a password`;
  return undefined;
}

/** Plain configuration (environment variable → value) in which nothing looks like a credential. */
export const plainConfig = z.record(envVarName, z.string()).superRefine((config, ctx) => {
  for (const [key, value] of Object.entries(config)) {
    const why = credentialInConfig(key, value);
    if (why) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `${why}: plain config is committed to Git in a ConfigMap; keep the value in AWS Secrets Manager and ` +
          'inject it with the service\'s `secrets` (an ExternalSecret), not `config`',
      });
    }
  }
});
