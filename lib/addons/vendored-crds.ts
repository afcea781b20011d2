import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, formatZodIssues } from '../errors';
import type { KubeObject } from '../kube-object';
import { sha256 } from './render-cache';

/** Folder of CRD sets copied into the repository from their upstream source, one folder per set. */
export const VENDORED_CRDS_DIR = 'addons/crds';
/** The manifest of a set: where its files come from and their sha256. */
export const VENDORED_MANIFEST = 'manifest.json';

export const vendoredManifestSchema = z.strictObject({
  comment: z.string(),
  /** The upstream release the files are a copy of (`v3.6.1`). */
  version: z.string().min(1),
  /** Where they were copied from: a Go module path@version and folder. */
  source: z.strictObject({ goModule: z.string().regex(/^[^@\s]+@v\S+$/), dir: z.string().min(1) }),
  /** The script that refreshes them. */
  refresh: z.string().min(1),
  /** File name → sha256 of its bytes, as upstream has them. */
  files: z.record(z.string().regex(/^[a-z0-9-]+\.yaml$/), z.string().regex(/^[a-f0-9]{64}$/)),
});
export type VendoredManifest = z.output<typeof vendoredManifestSchema>;

/** A vendored set, verified: its manifest and the text of each file. */
export interface VendoredCrds {
  readonly manifest: VendoredManifest;
  /** Digest of the whole set (the render cache key of its parsed objects). */
  readonly digest: string;
  readonly files: readonly { readonly name: string; readonly text: string }[];
}

/**
 * Reads `addons/crds/<set>/` and verifies it: every YAML file is listed in the manifest with its sha256, every
 * listed file is there, and the set is of `version`. Refuses anything else, naming the file and both digests.
 */
export function readVendoredCrds(root: string, set: string, version: string): VendoredCrds {
  const dir = join(VENDORED_CRDS_DIR, set);
  const manifestFile = join(dir, VENDORED_MANIFEST);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(root, manifestFile), 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read ${manifestFile}: ${(e as Error).message}`);
  }
  const parsed = vendoredManifestSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${manifestFile} is invalid:\n${formatZodIssues(parsed.error)}`);
  const manifest = parsed.data;
  const refresh = `run ${manifest.refresh} to copy them from ${manifest.source.goModule}`;
  if (manifest.version !== version) {
    throw new ConfigError(`${manifestFile}: the vendored CRDs are of ${manifest.version}, but ${version} is the version that runs — ${refresh.replace(manifest.source.goModule, `the ${version} release`)}`);
  }
  const present = existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).sort() : [];
  const listed = Object.keys(manifest.files).sort();
  const problems = [
    ...present.filter((f) => !(f in manifest.files)).map((f) => `${dir}/${f} is not listed in ${VENDORED_MANIFEST}`),
    ...listed.filter((f) => !present.includes(f)).map((f) => `${dir}/${f} is listed in ${VENDORED_MANIFEST} but missing`),
  ];
  const files = listed.filter((f) => present.includes(f)).map((name) => ({ name, text: readFileSync(join(root, dir, name), 'utf8') }));
  for (const f of files) {
    const digest = sha256(f.text);
    if (digest !== manifest.files[f.name]) problems.push(`${dir}/${f.name} has sha256 ${digest}, the manifest says ${manifest.files[f.name]}: it is not the upstream file`);
  }
  if (problems.length > 0) throw new ConfigError(`vendored CRDs ${dir} do not match ${manifestFile}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n  ${refresh}`);
  return { manifest, digest: sha256(listed.map((f) => `${f} ${manifest.files[f]}`).join('\n')), files };
}

/** The CustomResourceDefinitions of a verified set, as objects. */
export function vendoredCrdObjects(crds: VendoredCrds, set: string): KubeObject[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseAllDocuments } = require('yaml') as typeof import('yaml');
  const objects: KubeObject[] = [];
  for (const f of crds.files) {
    for (const doc of parseAllDocuments(f.text)) {
      if (doc.errors.length > 0) throw new ConfigError(`${VENDORED_CRDS_DIR}/${set}/${f.name}: invalid YAML: ${doc.errors[0].message}`);
      const o = doc.toJS() as KubeObject | null;
      if (!o) continue;
      if (o.kind !== 'CustomResourceDefinition') throw new ConfigError(`${VENDORED_CRDS_DIR}/${set}/${f.name}: holds a ${o.kind}; only CustomResourceDefinitions are vendored`);
      objects.push(o);
    }
  }
  return objects;
}
