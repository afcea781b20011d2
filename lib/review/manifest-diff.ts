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
  /** The object was `immutable: true` at the base (ConfigMap, Secret). */
  readonly immutable?: true;
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

/**
 * Fields that identify an item of a list, in the order they are tried: containers, env, ports and volumes by
 * `name`; label-selector requirements, tolerations and ConfigMap items by `key`; volume mounts by `mountPath`;
 * spread constraints by `topologyKey`; unnamed Service ports by `port`; an AppProject's resource lists by `kind`.
 */
const IDENTITY_FIELDS = ['name', 'key', 'mountPath', 'topologyKey', 'port', 'containerPort', 'path', 'kind'] as const;

/**
 * A list of objects whose items share one identity field with distinct scalar values is compared item by
 * item on that field, not by index, so an insertion does not shift every index.
 */
function keyedItems(before: Json[], after: Json[]): { field: string; items: [Map<string, Json>, Map<string, Json>] } | undefined {
  const all = [...before, ...after];
  if (all.length === 0 || !all.every(isObject)) return undefined;
  for (const field of IDENTITY_FIELDS) {
    const ids = (list: Json[]) => {
      const m = new Map<string, Json>();
      for (const x of list) {
        const id = (x as Record<string, Json>)[field];
        if (typeof id !== 'string' && typeof id !== 'number') return undefined;
        m.set(String(id), x);
      }
      return m.size === list.length ? m : undefined;
    };
    const a = ids(before);
    const b = ids(after);
    if (a && b) return { field, items: [a, b] };
  }
  return undefined;
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
    const keyed = keyedItems(before, after);
    if (keyed) {
      const [a, b] = keyed.items;
      const ids = [...new Set([...a.keys(), ...b.keys()])];
      return ids.flatMap((id) => diffValues(a.get(id), b.get(id), `${path}[${keyed.field}=${id}]`));
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
  // A file with the same bytes on both sides changes nothing; most of a render is unchanged, and parsing it
  // (large CRDs among it) was most of the work.
  const changed = (tree: Tree, other: Tree): Tree => new Map([...tree].filter(([path, content]) => other.get(path) !== content));
  const before = index(changed(base, head));
  const after = index(changed(head, base));
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
        const immutable = isObject(b.get(key)) && (b.get(key) as Record<string, Json>).immutable === true;
        if (fields.length > 0) changes.push({ status: 'changed', object: key, fields, ...(immutable ? { immutable: true as const } : {}) });
      }
    }
    if (changes.length === 0) continue;
    changes.sort((x, y) => STATUS_ORDER[x.status] - STATUS_ORDER[y.status] || (x.object < y.object ? -1 : 1));
    const [environment, name] = group.split('/');
    result.push({ environment, group: name, changes });
  }
  return result;
}

/** A change that deletes something or that Kubernetes or Argo CD will refuse to apply in place. */
export interface DestructiveChange {
  readonly environment: string;
  readonly group: string;
  readonly object: string;
  readonly reason: string;
}

/** `apps/Deployment shop/api` → `apps/Deployment`. */
const typeOf = (object: string) => object.split(' ')[0];

const REMOVED: Record<string, string> = {
  'argoproj.io/Application': 'Application removed: Argo CD deletes everything it synced (resources finalizer)',
  Namespace: 'Namespace removed: everything in it is deleted',
  PersistentVolumeClaim: 'PersistentVolumeClaim deleted: its volume and data go with it unless the reclaim policy is Retain',
  'apps/StatefulSet': 'StatefulSet removed: its pods stop; its PVCs are deleted too if its retention policy says so',
  'argoproj.io/AppProject': 'AppProject removed: its Applications can no longer sync',
};

/** Fields Kubernetes refuses to change in place, by object type (path prefixes). */
const IMMUTABLE: Record<string, readonly string[]> = {
  'apps/Deployment': ['/spec/selector'],
  'apps/DaemonSet': ['/spec/selector'],
  'apps/ReplicaSet': ['/spec/selector'],
  'apps/StatefulSet': ['/spec/selector', '/spec/volumeClaimTemplates', '/spec/serviceName', '/spec/podManagementPolicy'],
  'batch/Job': ['/spec/selector', '/spec/template', '/spec/completionMode'],
  Service: ['/spec/clusterIP', '/spec/clusterIPs'],
  PersistentVolumeClaim: ['/spec/storageClassName', '/spec/accessModes', '/spec/volumeName', '/spec/selector', '/spec/volumeMode'],
  'storage.k8s.io/StorageClass': ['/parameters', '/provisioner', '/reclaimPolicy', '/volumeBindingMode'],
};

const startsWithField = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}[`);

/**
 * The destructive changes of a diff, for the top of the PR comment: an Application, Namespace, PVC, StatefulSet
 * or AppProject removed, a kind dropped from a project, an immutable field changed (the sync then fails until
 * the object is replaced), data changed in an immutable ConfigMap or Secret.
 */
export function destructiveChanges(groups: readonly GroupDiff[]): DestructiveChange[] {
  const out: DestructiveChange[] = [];
  for (const { environment, group, changes } of groups) {
    const add = (object: string, reason: string) => out.push({ environment, group, object, reason });
    for (const change of changes) {
      const type = typeOf(change.object);
      if (change.status === 'removed' && REMOVED[type]) add(change.object, REMOVED[type]);
      if (change.status !== 'changed') continue;
      if (type === 'argoproj.io/AppProject') {
        const dropped = change.fields.filter((f) => /Whitelist\[kind=[^\]]+\]\/kind$/.test(f.path) && f.after === undefined);
        for (const f of dropped) add(change.object, `kind ${String(f.before)} dropped from the project (${f.path.split('[')[0].split('/').pop()}): Argo CD can no longer sync or prune it`);
        const destinations = change.fields.filter((f) => /^\/spec\/(destinations|sourceRepos)/.test(f.path) && f.after === undefined && f.before !== undefined);
        for (const f of destinations) add(change.object, `${f.path} removed from the project: ${JSON.stringify(f.before)}`);
      }
      for (const prefix of IMMUTABLE[type] ?? []) {
        const hit = change.fields.filter((f) => startsWithField(f.path, prefix));
        if (hit.length > 0) add(change.object, `immutable field ${prefix} changed (${hit.map((f) => f.path).join(', ')}): the apply fails until the object is deleted and recreated`);
      }
      if ((type === 'ConfigMap' || type === 'Secret') && change.immutable && change.fields.some((f) => /^\/(data|binaryData|stringData)\//.test(f.path))) {
        add(change.object, `data of an immutable ${type} changed: it must be deleted and recreated`);
      }
    }
  }
  return out;
}

/** Labels that only name a chart or app version: a bump that changes nothing else is only a version string. */
const VERSION_LABEL = /\/metadata\/labels\/(helm\.sh~1chart|app\.kubernetes\.io~1version|chart|version)$|\/template\/metadata\/labels\/(helm\.sh~1chart|app\.kubernetes\.io~1version)$/;

/** What a reviewer of an upgrade (an add-on chart bump) looks at first. */
export interface UpgradeHighlights {
  /** Container images that change, by object and container. */
  readonly images: readonly { readonly environment: string; readonly group: string; readonly object: string; readonly path: string; readonly before?: unknown; readonly after?: unknown }[];
  /** RBAC objects added, removed or changed (rules, subjects, role references). */
  readonly rbac: readonly { readonly environment: string; readonly group: string; readonly object: string; readonly status: ObjectChange['status'] }[];
  /** CustomResourceDefinitions added, removed or changed. */
  readonly crds: readonly { readonly environment: string; readonly group: string; readonly object: string; readonly status: ObjectChange['status']; readonly fields: number }[];
  /** Object changes beyond chart and version labels. */
  readonly substantive: number;
}

const RBAC_TYPES = new Set(['rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/ClusterRoleBinding', 'rbac.authorization.k8s.io/RoleBinding']);

/** The images, RBAC and CRDs a diff changes, and whether it changes anything but version labels. */
export function upgradeHighlights(groups: readonly GroupDiff[]): UpgradeHighlights {
  const images: UpgradeHighlights['images'][number][] = [];
  const rbac: UpgradeHighlights['rbac'][number][] = [];
  const crds: UpgradeHighlights['crds'][number][] = [];
  let substantive = 0;
  for (const { environment, group, changes } of groups) {
    for (const change of changes) {
      const type = typeOf(change.object);
      const meaningful = change.status !== 'changed' || change.fields.some((f) => !VERSION_LABEL.test(f.path));
      if (meaningful) substantive++;
      if (change.status === 'changed') {
        for (const f of change.fields.filter((x) => /\/(image)$/.test(x.path))) images.push({ environment, group, object: change.object, path: f.path, before: f.before, after: f.after });
      }
      if (RBAC_TYPES.has(type) && meaningful) rbac.push({ environment, group, object: change.object, status: change.status });
      if (type === 'apiextensions.k8s.io/CustomResourceDefinition' && meaningful) crds.push({ environment, group, object: change.object, status: change.status, fields: change.fields.length });
    }
  }
  return { images, rbac, crds, substantive };
}

/** The images, RBAC and CRD changes as a Markdown section, empty when there are none. */
export function formatUpgradeMarkdown(groups: readonly GroupDiff[]): string[] {
  const h = upgradeHighlights(groups);
  if (h.images.length + h.rbac.length + h.crds.length === 0) return [];
  const where = (x: { environment: string; group: string }) => `${x.environment} · ${x.group}`;
  return [
    '#### Images, RBAC and CRDs',
    ...h.images.map((i) => `- image ${where(i)}: \`${i.object}\` \`${i.path}\`: ${show(i.before)} → ${show(i.after)}`),
    ...h.rbac.map((r) => `- RBAC ${where(r)}: **${r.status}** \`${r.object}\``),
    ...h.crds.map((c) => `- CRD ${where(c)}: **${c.status}** \`${c.object}\`${c.status === 'changed' ? ` (${c.fields} field(s))` : ''}`),
    '',
  ];
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

/** Strings shown as a line diff rather than inline: multi-line text, and anything too long to read inline. */
const needsLineDiff = (f: FieldChange) =>
  [f.before, f.after].some((v) => typeof v === 'string' && (v.includes('\n') || v.length > 60)) &&
  [f.before, f.after].every((v) => v === undefined || typeof v === 'string');

/**
 * A line diff of two texts (longest common subsequence), as `-`/`+`/` ` lines with up to `context` unchanged
 * lines around each change; longer unchanged runs are folded into `…`.
 */
export function lineDiff(before: string, after: string, context = 2): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  if (a.length * b.length > 4_000_000) return [...a.map((l) => `- ${l}`), ...b.map((l) => `+ ${l}`)];
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: { op: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ op: ' ', line: a[i++] }), j++;
    // Removed lines before added ones, as in git.
    else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ op: '-', line: a[i++] });
    else ops.push({ op: '+', line: b[j++] });
  }
  const keep = ops.map((o, k) => o.op !== ' ' || ops.slice(Math.max(0, k - context), k + context + 1).some((x) => x.op !== ' '));
  const out: string[] = [];
  ops.forEach((o, k) => {
    if (keep[k]) out.push(`${o.op} ${o.line}`);
    else if (k === 0 || keep[k - 1]) out.push('  …');
  });
  return out;
}

function fence(lines: readonly string[], indent: string): string[] {
  const longest = Math.max(2, ...lines.map((l) => (l.match(/`+/g) ?? []).reduce((m, t) => Math.max(m, t.length), 0)));
  const marks = '`'.repeat(longest + 1);
  return [`${indent}${marks}diff`, ...lines.map((l) => `${indent}${l}`), `${indent}${marks}`];
}

function fieldLines(f: FieldChange): string[] {
  if (!needsLineDiff(f)) return [`  - \`${f.path}\`: ${show(f.before)} → ${show(f.after)}`];
  const label = f.before === undefined ? ' (added)' : f.after === undefined ? ' (removed)' : '';
  return [`  - \`${f.path}\`${label}:`, ...fence(lineDiff((f.before as string | undefined) ?? '', (f.after as string | undefined) ?? ''), '    ')];
}

/** The destructive changes as a Markdown section, empty when there are none (for the top of the comment). */
export function formatDestructiveMarkdown(groups: readonly GroupDiff[]): string[] {
  const found = destructiveChanges(groups);
  if (found.length === 0) return [];
  return [
    `#### ⚠️ ${found.length} destructive change(s) — review these first`,
    ...found.map((d) => `- ${d.environment} · ${d.group === 'argocd' ? 'Argo CD' : d.group}: \`${d.object}\` — ${d.reason}`),
    '',
  ];
}

/** The diff as Markdown for a pull-request comment: totals, destructive changes first, then every folder. */
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
  lines.push(...formatDestructiveMarkdown(groups));
  lines.push(...formatUpgradeMarkdown(groups));
  const footer = '\n_…cut here; run `npm run diff -- --base ' + options.base + '` for the rest._\n';
  let length = lines.join('\n').length;
  for (const group of groups) {
    const block = [`#### ${group.environment} · ${group.group === 'argocd' ? 'Argo CD (argocd/)' : group.group}`];
    for (const change of group.changes) {
      block.push(`- **${change.status}** \`${change.object}\``);
      for (const f of change.fields.slice(0, maxFields)) block.push(...fieldLines(f));
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
