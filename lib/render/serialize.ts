import type { KubeObject } from '../kube-object';

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
  // Pieces are collected and joined once: concatenating 30 MB of output piece by piece leaves millions of
  // rope nodes for the garbage collector to copy (it took a third of a synth).
  const out: string[] = [];
  objects.forEach((o, i) => {
    if (i > 0) out.push('---\n');
    emitMapping(out, o as unknown as Record<string, unknown>, '');
  });
  return out.join('');
}

/** `first` starts the first key's line (a sequence item's `- `); every other key starts with `indent`. */
function emitMapping(out: string[], map: Record<string, unknown>, indent: string, first = indent): void {
  let lead = first;
  for (const key in map) {
    const value = map[key];
    if (value === undefined || !Object.hasOwn(map, key)) continue;
    out.push(lead, singleLineCached(key), ':');
    emitValue(out, value, indent);
    lead = indent;
  }
}

/**
 * YAML of frozen values by indentation. Frozen values are the add-ons' cached objects, shared by the
 * environments and unchangeable: their large CRDs are emitted once, not once per environment.
 */
const frozenYaml = new WeakMap<object, Map<string, string>>();
/** Set while a frozen value is emitted: its parts are collected once, at its outermost frozen value. */
let inFrozen = false;

/** The text after `key:` or `-`, including the line break(s). */
function emitValue(out: string[], value: unknown, indent: string): void {
  if (inFrozen || value === null || typeof value !== 'object' || !Object.isFrozen(value)) {
    emitAnyValue(out, value, indent);
    return;
  }
  let byIndent = frozenYaml.get(value);
  let text = byIndent?.get(indent);
  if (text === undefined) {
    const parts: string[] = [];
    inFrozen = true;
    try {
      emitAnyValue(parts, value, indent);
    } finally {
      inFrozen = false;
    }
    text = parts.join('');
    if (byIndent === undefined) frozenYaml.set(value, (byIndent = new Map()));
    byIndent.set(indent, text);
  }
  out.push(text);
}

function emitAnyValue(out: string[], value: unknown, indent: string): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(' []\n');
    } else {
      out.push('\n');
      emitSequence(out, value, `${indent}  `);
    }
  } else if (value !== null && typeof value === 'object') {
    if (isEmpty(value)) {
      out.push(' {}\n');
    } else {
      out.push('\n');
      emitMapping(out, value as Record<string, unknown>, `${indent}  `);
    }
  } else {
    out.push(' ', scalar(value, indent), '\n');
  }
}

/** Has the object no key with a value (as JSON sees it)? Object.keys would build an array only to count it. */
function isEmpty(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key) && (object as Record<string, unknown>)[key] !== undefined) return false;
  return true;
}

function emitSequence(out: string[], items: readonly unknown[], indent: string): void {
  for (const item of items) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && !isEmpty(item)) {
      // The first key sits on the dash line; the rest align under it.
      emitMapping(out, item as Record<string, unknown>, `${indent}  `, `${indent}- `);
    } else if (Array.isArray(item) && item.length > 0) {
      out.push(indent, '-\n');
      emitSequence(out, item, `${indent}  `);
    } else {
      out.push(indent, '-');
      emitValue(out, item, indent);
    }
  }
}

// Plain scalars YAML 1.1 or 1.2 readers could take for something other than a string.
const RESERVED = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|\.inf|\.Inf|\.INF|-\.inf|-\.Inf|-\.INF|\.nan|\.NaN|\.NAN|<<)$/;
const NUMERIC = /^[-+]?(?:\.?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/;
// YAML 1.1 floats as the yaml library reads them: the digits on either side of the dot are optional, and so is
// the mantissa before an exponent (".", "1.", "e0" and "-.e5" are floats).
const FLOAT_11 = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*(?:[eE][-+]?[0-9]+)?|(?:\.[0-9_]*)?[eE][-+]?[0-9]+)$/;
// YAML 1.1 timestamps, which some Kubernetes tooling still decodes.
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?/;
const SAFE_PLAIN = /^[A-Za-z0-9_./$(][^\n\r\t"'#`]*$/;
// Characters no plain scalar or block literal may hold: C0 and C1 controls (tab and line feed excepted), what
// YAML 1.1 reads as a line break (NEL, LS, PS), byte-order marks, non-characters and lone surrogates. Such text
// is double-quoted, with those characters escaped.
const SPECIAL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udfff]/u;
const SPECIAL_ALL = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;

// Keys and label values repeat thousands of times in a large render; each string is classified once.
const plainOrQuoted = new Map<string, string>();

function scalar(value: unknown, indent: string): string {
  if (typeof value === 'string') return value.includes('\n') ? blockLiteral(value, indent) : singleLineCached(value);
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? number(value) : quoted(String(value));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return singleLineCached(String(value));
}

/**
 * A number both YAML 1.1 and 1.2 read back as that number: YAML 1.1 wants a dot in a float's mantissa, so
 * `1e+21` and `5e-7` (JavaScript's own notation) are written `1.0e+21` and `5.0e-7`.
 */
function number(n: number): string {
  const s = String(Object.is(n, -0) ? 0 : n);
  const e = s.indexOf('e');
  return e > 0 && !s.slice(0, e).includes('.') ? `${s.slice(0, e)}.0${s.slice(e)}` : s;
}

function singleLineCached(s: string): string {
  let text = plainOrQuoted.get(s);
  if (text === undefined) {
    text = singleLine(s);
    if (plainOrQuoted.size < 100_000) plainOrQuoted.set(s, text);
  }
  return text;
}

function singleLine(s: string): string {
  if (
    s.length > 0 && SAFE_PLAIN.test(s) && !SPECIAL.test(s) && !RESERVED.test(s) && !NUMERIC.test(s) && !FLOAT_11.test(s) && !TIMESTAMP.test(s)
    && !s.startsWith('...') && !s.includes(': ') && !s.endsWith(':') && !s.endsWith(' ') && !s.includes(' #') && !/[{}[\],&*!|>%@]/.test(s[0])
  ) {
    return s;
  }
  return quoted(s);
}

/** A double-quoted scalar: JSON's escapes, which YAML shares, plus the characters YAML would not keep as they are. */
function quoted(s: string): string {
  return JSON.stringify(s).replace(SPECIAL_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Multi-line text (scripts, config files) as a block literal, kept readable in review. */
function blockLiteral(s: string, indent: string): string {
  // A first non-empty line that starts with a blank, or whitespace-only lines, would need indentation indicators, several final newlines keep
  // chomping, and text of line breaks alone would read back as ""; such rare text is quoted instead.
  if (/^\n*[ \t]/.test(s) || !/[^\n]/.test(s) || SPECIAL.test(s) || /(^|\n)[ \t]+(\n|$)/.test(s) || s.endsWith('\n\n')) return quoted(s);
  const clip = s.endsWith('\n');
  const inner = `${indent}  `;
  const lines = (clip ? s.slice(0, -1) : s).split('\n').map((line) => (line.length > 0 ? `${inner}${line}` : ''));
  return `|${clip ? '' : '-'}\n${lines.join('\n')}`;
}
