#!/usr/bin/env node
// Writes kubeconform JSON schemas (<out>/<group>/<kind>_<version>.json, the CRDs-catalog layout) for every
// CustomResourceDefinition rendered into dist/ (the add-ons' CRDs), so custom resources are validated against
// exactly the CRD versions the clusters get. Reruns are free while the CRD files are unchanged.
//   node scripts/crd-schemas.mjs <out-dir> [dist-dir]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const [out, dist = 'dist'] = process.argv.slice(2);
if (!out) {
  console.error('usage: node scripts/crd-schemas.mjs <out-dir> [dist-dir]');
  process.exit(2);
}
const files = [];
for (const env of existsSync(dist) ? readdirSync(dist) : []) {
  for (const folder of readdirSync(join(dist, env), { withFileTypes: true })) {
    if (!folder.isDirectory() || !folder.name.endsWith('-crds')) continue;
    for (const f of readdirSync(join(dist, env, folder.name)).sort()) if (f.endsWith('.yaml')) files.push(join(dist, env, folder.name, f));
  }
}
const hash = createHash('sha256');
for (const f of files) hash.update(f).update(readFileSync(f));
const stamp = join(out, '.stamp');
const want = hash.digest('hex');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) process.exit(0);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** OpenAPI v3 (structural schema) → JSON Schema as kubeconform reads it, strict: unknown fields are errors. */
function convert(node) {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const s = {};
  for (const [k, v] of Object.entries(node)) s[k] = k === 'properties' || k === 'patternProperties' ? Object.fromEntries(Object.entries(v).map(([p, sub]) => [p, convert(sub)])) : convert(v);
  if (s['x-kubernetes-int-or-string']) {
    delete s.type;
    if (!s.anyOf && !s.oneOf) s.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (s.nullable && typeof s.type === 'string') s.type = [s.type, 'null'];
  if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) s.additionalProperties = false;
  return s;
}

let count = 0;
for (const f of files) {
  for (const doc of parseAllDocuments(readFileSync(f, 'utf8'))) {
    const crd = doc.toJS({ maxAliasCount: -1 });
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, names } = crd.spec;
    for (const v of crd.spec.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      const dir = join(out, group);
      mkdirSync(dir, { recursive: true });
      const json = convert(schema);
      // apiVersion, kind and metadata are validated by the API machinery, not the CRD's schema.
      if (json.properties) {
        json.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...json.properties };
        if (json.properties.metadata?.type === 'object' && !json.properties.metadata.properties) json.properties.metadata = { type: 'object' };
      }
      writeFileSync(join(dir, `${names.kind.toLowerCase()}_${v.name}.json`), JSON.stringify(json));
      count++;
    }
  }
}
writeFileSync(stamp, want);
console.error(`crd-schemas: ${count} schemas from ${files.length} rendered CRD files`);
