import type { KubeObject } from './kube-object';

/**
 * A chart's objects as one multi-document YAML file.
 *
 * Rendered objects are plain JSON (strings, numbers, booleans, arrays, objects with keys already sorted by
 * cdk8s), so this emitter handles exactly that and nothing more: block mappings and sequences, plain scalars
 * where YAML cannot misread them, double-quoted JSON strings otherwise, block literals for multi-line text.
 * It replaces `yaml.stringify`, which spent 45 % of a large render building and visiting a document tree;
 * a test parses every rendered file back with the `yaml` library and compares it with the objects.
 */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => emitMapping(o as unknown as Record<string, unknown>, '')).join('---\n');
}

function emitMapping(map: Record<string, unknown>, indent: string): string {
  let out = '';
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    out += `${indent}${scalar(key, indent)}:${emitValue(value, indent)}`;
  }
  return out;
}

/** The text after `key:` or `-`, including the line break(s). */
function emitValue(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    return `\n${emitSequence(value, `${indent}  `)}`;
  }
  if (value !== null && typeof value === 'object') {
    if (Object.keys(value).length === 0) return ' {}\n';
    return `\n${emitMapping(value as Record<string, unknown>, `${indent}  `)}`;
  }
  return ` ${scalar(value, indent)}\n`;
}

function emitSequence(items: readonly unknown[], indent: string): string {
  let out = '';
  for (const item of items) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
      // The first key sits on the dash line; the rest align under it.
      const body = emitMapping(item as Record<string, unknown>, `${indent}  `);
      out += `${indent}- ${body.slice(indent.length + 2)}`;
    } else if (Array.isArray(item) && item.length > 0) {
      out += `${indent}-\n${emitSequence(item, `${indent}  `)}`;
    } else {
      out += `${indent}-${emitValue(item, indent)}`;
    }
  }
  return out;
}

// Plain scalars YAML 1.1 or 1.2 readers could take for something other than a string.
const RESERVED = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|\.inf|\.Inf|\.INF|-\.inf|-\.Inf|-\.INF|\.nan|\.NaN|\.NAN|<<)$/;
const NUMERIC = /^[-+]?(?:\.?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/;
// YAML 1.1 timestamps, which some Kubernetes tooling still decodes.
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?/;
const SAFE_PLAIN = /^[A-Za-z0-9_./$(][^\n\r\t"'#`]*$/;

// Keys and label values repeat thousands of times in a large render; each string is classified once.
const plainOrQuoted = new Map<string, string>();

function scalar(value: unknown, indent: string): string {
  if (typeof value === 'string' && !value.includes('\n')) {
    let text = plainOrQuoted.get(value);
    if (text === undefined) {
      text = singleLine(value);
      if (plainOrQuoted.size < 100_000) plainOrQuoted.set(value, text);
    }
    return text;
  }
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const s = String(value);
  return s.includes('\n') ? blockLiteral(s, indent) : singleLine(s);
}

function singleLine(s: string): string {
  if (
    s.length > 0 && SAFE_PLAIN.test(s) && !RESERVED.test(s) && !NUMERIC.test(s) && !TIMESTAMP.test(s)
    && !s.includes(': ') && !s.endsWith(':') && !s.endsWith(' ') && !s.includes(' #') && !/[{}[\],&*!|>%@]/.test(s[0])
  ) {
    return s;
  }
  return JSON.stringify(s);
}

/** Multi-line text (scripts, config files) as a block literal, kept readable in review. */
function blockLiteral(s: string, indent: string): string {
  // Leading or whitespace-only lines would need indentation indicators, several final newlines keep
  // chomping; such rare text is quoted instead.
  if (/^[ \t]/.test(s) || s.includes('\r') || /(^|\n)[ \t]+(\n|$)/.test(s) || s.endsWith('\n\n')) return JSON.stringify(s);
  const clip = s.endsWith('\n');
  const inner = `${indent}  `;
  const lines = (clip ? s.slice(0, -1) : s).split('\n').map((line) => (line.length > 0 ? `${inner}${line}` : ''));
  return `|${clip ? '' : '-'}\n${lines.join('\n')}`;
}
