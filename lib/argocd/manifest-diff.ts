import { parseAllDocuments } from 'yaml';

/**
 * The rendered-manifest diff of a pull request: which objects of `dist/` and `argocd/` were added, removed or
 * changed, per environment and platform, and which fields changed. Pure: trees in, data and Markdown out.
 */

/** One changed field; `before`/`after` are absent where the field did not exist. */
export interface FieldChange {
  /** JSON-pointer-ish: `/spec/template/spec/containers[name=api]/image`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface ObjectChange {
  readonly status: 'added' | 'removed' | 'changed';
  /** `apps/Deployment sales-order/customer-service`. */
  readonly object: string;
  /** Changed fields (only for `changed`). */
  readonly fields: readonly FieldChange[];
}

/** The changes of one folder: `dist/<env>/<platform>` or `argocd/<env>`. */
export interface GroupDiff {
  readonly environment: string;
  /** Platform folder name, `cluster`, or `argocd` for the Argo CD objects. */
  readonly group: string;
  readonly changes: readonly ObjectChange[];
}

/** Repository path → file content. */
export type Tree = ReadonlyMap<string, string>;

type Json = unknown;
type Objects = Map<string, Map<string, Json>>;

/** `dist/dev/sales-order/x.yaml` → `dev/sales-order`; `argocd/dev/apps/x.yaml` → `dev/argocd`. */
function groupOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === 'dist' && parts.length >= 4) return `${parts[1]}/${parts[2]}`;
  if (parts[0] === 'argocd' && parts.length >= 3) return `${parts[1]}/argocd`;
  return undefined;
}

function objectKey(o: Record<string, Json>): string {
  const meta = (o.metadata ?? {}) as { name?: string; namespace?: string };
  const apiVersion = String(o.apiVersion ?? '');
  const group = apiVersion.includes('/') ? `${apiVersion.slice(0, apiVersion.lastIndexOf('/'))}/` : '';
  return `${group}${String(o.kind)} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? '(unnamed)'}`;
}

/** Every object of a tree by group and identity. A file that is not YAML is an error that names it. */
function index(tree: Tree): Objects {
  const objects: Objects = new Map();
  for (const [path, content] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/\.ya?ml$/.test(path)) continue;
    const group = groupOf(path);
    if (!group) continue;
    const docs = parseAllDocuments(content);
    if (!Array.isArray(docs)) continue;
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${path}: not valid YAML: ${doc.errors[0].message}`);
      const o = doc.toJS() as Record<string, Json> | null;
      if (!o || typeof o !== 'object') continue;
      const byKey = objects.get(group) ?? new Map<string, Json>();
      let key = objectKey(o);
      if (byKey.has(key)) key = `${key} (${path})`;
      byKey.set(key, o);
      objects.set(group, byKey);
    }
  }
  return objects;
}

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Arrays of objects with distinct string `name`s (containers, env, ports) are compared by name, not index. */
function namedItems(a: Json[]): Map<string, Json> | undefined {
  if (!a.every((x) => isObject(x) && typeof x.name === 'string')) return undefined;
  const m = new Map(a.map((x) => [(x as { name: string }).name, x]));
  return m.size === a.length ? m : undefined;
}

/** The fields in which two values differ, depth first, in document order. */
export function diffValues(before: Json, after: Json, path = ''): FieldChange[] {
  // A map or list that appears or disappears is reported leaf by leaf, like one that changed.
  if (before === undefined && (isObject(after) || Array.isArray(after))) before = Array.isArray(after) ? [] : {};
  if (after === undefined && (isObject(before) || Array.isArray(before))) after = Array.isArray(before) ? [] : {};
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], `${path}/${escape(k)}`));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = namedItems(before);
    const b = namedItems(after);
    if (a && b && (a.size > 0 || b.size > 0)) {
      const names = [...new Set([...a.keys(), ...b.keys()])];
      return names.flatMap((n) => diffValues(a.get(n), b.get(n), `${path}[name=${n}]`));
    }
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) => diffValues(before[i], after[i], `${path}/${i}`)).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '/', ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) }];
}

const STATUS_ORDER = { added: 0, changed: 1, removed: 2 } as const;

/** Compares the objects of two trees (base and head), grouped by environment and folder. */
export function diffTrees(base: Tree, head: Tree): GroupDiff[] {
  const before = index(base);
  const after = index(head);
  const groups = [...new Set([...before.keys(), ...after.keys()])].sort((x, y) => {
    const [ex, gx] = x.split('/');
    const [ey, gy] = y.split('/');
    // Within an environment the Argo CD objects come after the platforms.
    return ex !== ey ? (ex < ey ? -1 : 1) : (gx === 'argocd') !== (gy === 'argocd') ? (gx === 'argocd' ? 1 : -1) : gx < gy ? -1 : 1;
  });
  const result: GroupDiff[] = [];
  for (const group of groups) {
    const b = before.get(group) ?? new Map<string, Json>();
    const a = after.get(group) ?? new Map<string, Json>();
    const changes: ObjectChange[] = [];
    for (const key of new Set([...b.keys(), ...a.keys()])) {
      if (!b.has(key)) changes.push({ status: 'added', object: key, fields: [] });
      else if (!a.has(key)) changes.push({ status: 'removed', object: key, fields: [] });
      else {
        const fields = diffValues(b.get(key), a.get(key));
        if (fields.length > 0) changes.push({ status: 'changed', object: key, fields });
      }
    }
    if (changes.length === 0) continue;
    changes.sort((x, y) => STATUS_ORDER[x.status] - STATUS_ORDER[y.status] || (x.object < y.object ? -1 : 1));
    const [environment, name] = group.split('/');
    result.push({ environment, group: name, changes });
  }
  return result;
}

/** Marker of the PR comment, so CI updates its own comment instead of adding one per push. */
export const COMMENT_MARKER = '<!-- rendered-manifest-diff -->';

export interface MarkdownOptions {
  /** The base ref, for the heading. */
  readonly base: string;
  /** Fields listed per object before the rest is counted. @default 20 */
  readonly maxFieldsPerObject?: number;
  /** Length the comment is cut at (GitHub allows 65536 characters). @default 60000 */
  readonly maxLength?: number;
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = isObject(value) ? `{${Object.keys(value).length} field(s)}` : Array.isArray(value) ? `[${value.length} item(s)]` : JSON.stringify(value);
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return `\`${short.replace(/`/g, "'")}\``;
}

/** The diff as Markdown for a pull-request comment. */
export function formatDiffMarkdown(groups: readonly GroupDiff[], options: MarkdownOptions): string {
  const maxFields = options.maxFieldsPerObject ?? 20;
  const maxLength = options.maxLength ?? 60000;
  const count = (s: ObjectChange['status']) => groups.reduce((n, g) => n + g.changes.filter((c) => c.status === s).length, 0);
  const lines = [COMMENT_MARKER, `### Rendered manifests compared with \`${options.base}\``, ''];
  if (groups.length === 0) {
    lines.push('No object in `dist/` or `argocd/` changes.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`**${count('added')} added, ${count('changed')} changed, ${count('removed')} removed** in ${groups.length} folder(s).`, '');
  const footer = '\n_…cut here; run `npm run diff -- --base ' + options.base + '` for the rest._\n';
  let length = lines.join('\n').length;
  for (const group of groups) {
    const block = [`#### ${group.environment} · ${group.group === 'argocd' ? 'Argo CD (argocd/)' : group.group}`];
    for (const change of group.changes) {
      block.push(`- **${change.status}** \`${change.object}\``);
      for (const f of change.fields.slice(0, maxFields)) block.push(`  - \`${f.path}\`: ${show(f.before)} → ${show(f.after)}`);
      if (change.fields.length > maxFields) block.push(`  - … and ${change.fields.length - maxFields} more field(s)`);
    }
    block.push('');
    const text = block.join('\n');
    if (length + text.length + footer.length > maxLength) {
      lines.push(footer);
      return lines.join('\n');
    }
    lines.push(text);
    length += text.length + 1;
  }
  return `${lines.join('\n')}`;
}
