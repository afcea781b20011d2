import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readVendoredCrds, VENDORED_CRDS_DIR, VENDORED_MANIFEST, VendoredManifest } from '../lib/addons/vendored-crds';
import { sha256 } from '../lib/addons/render-cache';
import { ARGOCD_VERSION } from '../lib/addons/argocd-version';
import { parseCommandLine } from '../cli/args';
import { goModuleDir } from './go-module';

/**
 * `npm run addons:crds`: copies Argo CD's CRDs, at the version that runs (lib/addons/argocd-version.ts), from its Go
 * module's `manifests/crds/` into `addons/crds/argo-cd/` and writes their sha256 into the manifest there. The
 * argo-cd chart's own CRDs are those of the chart's appVersion, older than the images this repository runs.
 * Needs Go (its module cache, or the module proxy); synth never does: it reads the committed copy.
 */
const spec = {
  usage: 'npm run addons:crds',
  description:
    "Copies manifests/crds/*-crd.yaml of the Go module github.com/argoproj/argo-cd/v3 at ARGOCD_VERSION\n" +
    '(lib/addons/argocd-version.ts) into addons/crds/argo-cd/ and records their sha256 in its manifest.json. Needs Go\n' +
    "(the module cache, else the module proxy); run npm run synth and npm run schemas after it.",
  options: {},
} as const;

const MODULE = 'github.com/argoproj/argo-cd/v3';
const FOLDER = 'manifests/crds';
const SET = 'argo-cd';

function main(): number {
  parseCommandLine(spec);
  const root = resolve(__dirname, '..');
  const module = `${MODULE}@${ARGOCD_VERSION}`;
  let source: string;
  try {
    source = join(goModuleDir(module), FOLDER);
  } catch (e) {
    console.error(`addons:crds: ${(e as Error).message}`);
    return 1;
  }
  // The CRD files kustomize lists, no kustomization or license file.
  const names = readdirSync(source).filter((f) => f.endsWith('-crd.yaml')).sort();
  if (names.length === 0) {
    console.error(`addons:crds: ${module} has no *-crd.yaml in ${FOLDER}/`);
    return 1;
  }
  const dir = join(root, VENDORED_CRDS_DIR, SET);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    copyFileSync(join(source, name), join(dir, name));
    // The module cache's files are read-only; the copies are the repository's.
    chmodSync(join(dir, name), 0o644);
  }
  const manifest: VendoredManifest = {
    comment: 'Written by `npm run addons:crds` (scripts/vendor-crds.ts): copies of the upstream files, verified by every synth; do not edit.',
    version: ARGOCD_VERSION,
    source: { goModule: module, dir: FOLDER },
    refresh: 'npm run addons:crds',
    files: Object.fromEntries(names.map((name) => [name, sha256(readFileSync(join(dir, name), 'utf8'))])),
  };
  writeFileSync(join(dir, VENDORED_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  readVendoredCrds(root, SET, ARGOCD_VERSION);
  console.log(`addons:crds: ${names.length} CRDs of ${module} in ${VENDORED_CRDS_DIR}/${SET}/ (${names.join(', ')}); run npm run synth`);
  return 0;
}

process.exitCode = main();
