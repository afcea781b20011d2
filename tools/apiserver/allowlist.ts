// The allow-list (tools/apiserver/allowlist.yaml): findings the team decided to accept, each with a reason.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Finding {
  /** Which validation group (dist/<env>, argocd, self-test) the object was validated in. */
  group: string;
  /** File relative to the repository root. */
  file: string;
  kind: string;
  name: string;
  namespace: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface AllowEntry {
  kind?: string;
  name?: string;
  namespace?: string;
  file?: string;
  message: string;
  reason: string;
  /** Computed. */
  index: number;
  used: number;
  matchers: { kind?: RegExp; name?: RegExp; namespace?: RegExp; file?: RegExp; message: RegExp };
}

const KEYS = new Set(['kind', 'name', 'namespace', 'file', 'message', 'reason']);

/** `*` matches any run of characters (slashes included), `?` one character; the whole value must match. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*+/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function loadAllowList(file: string): AllowEntry[] {
  if (!existsSync(file)) return [];
  const doc = parse(readFileSync(file, 'utf8')) as unknown;
  if (doc === null || doc === undefined) return [];
  const list = (doc as { allow?: unknown }).allow;
  if (typeof doc !== 'object' || Array.isArray(doc) || Object.keys(doc).some((k) => k !== 'allow')) {
    throw new Error(`${file}: expected a mapping with one key, "allow" (a list of entries)`);
  }
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new Error(`${file}: "allow" must be a list`);
  const errors: string[] = [];
  const entries = list.map((raw: unknown, index: number): AllowEntry | undefined => {
    const where = `${file}: allow[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push(`${where}: must be a mapping`);
      return undefined;
    }
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!KEYS.has(k)) errors.push(`${where}: unknown key "${k}" (allowed: ${[...KEYS].join(', ')})`);
    for (const k of KEYS) if (e[k] !== undefined && typeof e[k] !== 'string') errors.push(`${where}: "${k}" must be a string`);
    if (typeof e.reason !== 'string' || e.reason.trim().length < 10) errors.push(`${where}: "reason" is mandatory (say why, at least 10 characters)`);
    if (typeof e.message !== 'string' || e.message === '') errors.push(`${where}: "message" (a regular expression) is mandatory`);
    if (!['kind', 'name', 'namespace', 'file'].some((k) => typeof e[k] === 'string')) {
      errors.push(`${where}: name at least one of kind, name, namespace, file`);
    }
    let message: RegExp | undefined;
    try {
      message = new RegExp(String(e.message ?? ''));
    } catch (err) {
      errors.push(`${where}: "message" is not a valid regular expression: ${(err as Error).message}`);
    }
    if (!message) return undefined;
    const g = (k: string) => (typeof e[k] === 'string' ? globToRegExp(e[k] as string) : undefined);
    return {
      kind: e.kind as string | undefined,
      name: e.name as string | undefined,
      namespace: e.namespace as string | undefined,
      file: e.file as string | undefined,
      message: e.message as string,
      reason: e.reason as string,
      index,
      used: 0,
      matchers: { kind: g('kind'), name: g('name'), namespace: g('namespace'), file: g('file'), message },
    };
  });
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return entries.filter((x): x is AllowEntry => x !== undefined);
}

export function findAllowance(entries: AllowEntry[], f: Finding): AllowEntry | undefined {
  return entries.find(
    (e) =>
      (!e.matchers.kind || e.matchers.kind.test(f.kind)) &&
      (!e.matchers.name || e.matchers.name.test(f.name)) &&
      (!e.matchers.namespace || e.matchers.namespace.test(f.namespace)) &&
      (!e.matchers.file || e.matchers.file.test(f.file)) &&
      e.matchers.message.test(f.message),
  );
}
