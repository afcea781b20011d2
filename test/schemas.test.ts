import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  crdSchemaFile,
  CRD_SOURCES,
  defaultSources,
  isKubernetesKind,
  KUBERNETES_VERSIONS,
  kubernetesSchemaFile,
  pinnedFiles,
  planSchemas,
  strictSchema,
  usedKinds,
} from '../scripts/schemas';
import { ARGOCD_VERSION } from '../lib/addons/argocd-version';
import { ROOT } from './helpers';
import { committedOutput } from './support/committed-render';

/** The pinned kubeconform schemas (schemas/, written by `npm run schemas`) cover the output and are current. */
describe('pinned schemas', () => {
  const pinned = pinnedFiles(ROOT);

  test('every kind the output uses has its pinned schema, for every Kubernetes version, and nothing else is pinned', () => {
    const crdGroups = new Set(CRD_SOURCES.flatMap((s) => s.groups));
    const expected = usedKinds(committedOutput()).flatMap((u) =>
      isKubernetesKind(u.apiVersion, crdGroups)
        ? KUBERNETES_VERSIONS.map((v) => `kubernetes/v${v}-standalone-strict/${kubernetesSchemaFile(u)}`)
        : [crdSchemaFile(u)],
    );
    const missing = expected.filter((p) => !pinned.has(p));
    expect({ missing, hint: missing.length ? 'run `npm run schemas` and commit schemas/' : '' }).toEqual({ missing: [], hint: '' });
    expect([...pinned.keys()].filter((p) => p !== 'sources.json').sort()).toEqual([...expected].sort());
  });

  const { schemaMirror, chartMirror } = defaultSources(ROOT);
  const mirrors = existsSync(schemaMirror) && existsSync(chartMirror);
  (mirrors ? test : test.skip)('schemas/ is byte for byte what `npm run schemas` writes from the mirrors', () => {
    const planned = planSchemas(ROOT, defaultSources(ROOT), committedOutput());
    const differing = planned.filter((p) => pinned.get(p.path) !== p.content).map((p) => p.path);
    expect({ differing, hint: differing.length ? 'run `npm run schemas` and commit schemas/' : '' }).toEqual({ differing: [], hint: '' });
    expect([...pinned.keys()].sort()).toEqual(planned.map((p) => p.path).sort());
  });

  test('a kind no source knows is an error that names it and says where to add its source', () => {
    const root = mkdtempSync(join(tmpdir(), 'schemas-'));
    try {
      mkdirSync(join(root, 'dist'));
      writeFileSync(join(root, 'dist', 'x.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: v1\nkind: Nonsense\nmetadata: {name: n}\n');
      let message = '';
      try {
        planSchemas(root, defaultSources(ROOT));
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/example\.com\/v1 Widget: no source for CRD group example\.com; add it to CRD_SOURCES in scripts\/schemas\.ts/);
      expect(message).toMatch(/v1 Nonsense: no schema for Kubernetes 1\.27\.0/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("Argo CD's kinds fall back to the vendored CRDs of the version that runs, without Go or the network", () => {
    const root = mkdtempSync(join(tmpdir(), 'schemas-'));
    try {
      mkdirSync(join(root, 'dist'));
      cpSync(join(ROOT, 'addons/crds'), join(root, 'addons/crds'), { recursive: true });
      writeFileSync(join(root, 'dist', 'app.yaml'), 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {}\n');
      const planned = planSchemas(root, defaultSources(ROOT));
      const application = planned.find((p) => p.path === 'crds/argoproj.io/application_v1alpha1.json')!;
      expect(application.source).toBe(`addons/crds/argo-cd/application-crd.yaml (github.com/argoproj/argo-cd/v3@${ARGOCD_VERSION})`);
      expect(CRD_SOURCES.find((c) => c.groups.includes('argoproj.io'))).toMatchObject({ vendored: { set: 'argo-cd', version: ARGOCD_VERSION } });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a CRD the output ships is the source of its kinds’ schemas', () => {
    const root = mkdtempSync(join(tmpdir(), 'schemas-'));
    try {
      mkdirSync(join(root, 'dist'));
      writeFileSync(join(root, 'dist', 'crd.yaml'), [
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}',
        'spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced, versions: [{name: v1, served: true, storage: true,',
        '  schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}}]}',
        '---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}\n',
      ].join('\n'));
      const planned = planSchemas(root, defaultSources(ROOT));
      const widget = planned.find((p) => p.path === 'crds/example.com/widget_v1.json')!;
      expect(widget.source).toBe('output: dist/crd.yaml');
      expect(JSON.parse(widget.content).properties.spec).toEqual({ type: 'object', additionalProperties: false, properties: { size: { type: 'integer' } } });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('CRD schemas are made strict the way kubeconform’s are: no unknown fields, unless the CRD preserves them', () => {
    expect(
      strictSchema({
        type: 'object',
        description: 'dropped',
        properties: {
          a: { type: 'object', properties: { b: { type: 'string', nullable: true } } },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { c: { type: 'string' } } },
          map: { type: 'object', additionalProperties: { type: 'string' } },
          list: { type: 'array', items: { type: 'object', properties: { d: { type: 'integer' } } } },
          description: { type: 'string' },
        },
      }),
    ).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        a: { type: 'object', additionalProperties: false, properties: { b: { type: ['string', 'null'] } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { c: { type: 'string' } } },
        map: { type: 'object', additionalProperties: { type: 'string' } },
        list: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { d: { type: 'integer' } } } },
        description: { type: 'string' },
      },
    });
  });
});
