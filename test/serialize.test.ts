import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../lib/render/serialize';
import type { KubeObject } from '../lib/kube-object';
import { committedRender } from './support/committed-render';

const parse = (text: string, version: '1.1' | '1.2' = '1.2') => parseAllDocuments(text, { version }).map((d) => {
  expect(d.errors).toEqual([]);
  expect(d.warnings).toEqual([]);
  return d.toJS();
});
const doc = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, ...extra }) as KubeObject;

describe('YAML emitter', () => {
  test('every rendered file parses back (yaml library) to exactly the rendered objects', () => {
    const result = committedRender();
    // Files with the same text (the add-ons' CRDs in every environment) are parsed once.
    const parsed = new Map<string, unknown[]>();
    for (const file of result.files) {
      const [env, ...rest] = file.path.split('/');
      const text = result.dist.get(env)!.get(rest.join('/'))!;
      if (!parsed.has(text)) parsed.set(text, parse(text));
      expect(parsed.get(text)).toEqual(file.objects);
    }
  });

  test('strings YAML could misread are quoted; everything round-trips', () => {
    const tricky = [
      'true', 'no', 'on', 'null', '~', '1.27', '0400', '0x1F', '1e3', '2026-11-22', '12:30:00', '*.example.com', '&anchor',
      '- item', 'key: value', 'ends with colon:', 'a #comment', "it's", '"quoted"', '', ' leading', 'trailing ', '[{"HTTP": 80}]',
      '{braces}', '%percent', '@at', '`tick`', '|pipe', '>fold', '!tag', 'tab\there', 'multi\nline\n', 'multi\nline', 'x\n\n', '  indented\nblock',
      'line\n  \nwith blank spaces', 'win\r\nline', '8.4.3', 'eu-west-1', '/health/ready', '$(VAR)', 'sha256:abc', 'a,b', 'ünïcode',
      '\n', '\n\n', '\r\n', 'x\u2028y', 'nel\u0085', '\ufeffbom', 'del\u007f', 'line\nsep\u2028\n',
    ];
    const data = Object.fromEntries(tricky.map((s, i) => [`k${i}`, s]));
    const objects = [doc({ data, list: tricky, nested: [[1, 2], [], {}, [{ a: 1 }]], n: [0, -1, 3.5, true, false, null] })];
    expect(parse(toYaml(objects))).toEqual(objects);
    expect(parse(toYaml(objects), '1.1')).toEqual(objects);
  });

  test('a string of line breaks alone keeps them', () => {
    expect(toYaml([doc({ data: { a: '\n', b: '\n\n' } })])).toBe('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "\\n"\n  b: "\\n\\n"\n');
  });

  test('numbers in exponent notation read back as numbers in YAML 1.1 too', () => {
    expect(toYaml([doc({ nums: [1e21, 5e-7, -0, 2.5] })])).toMatch(/nums:\n  - 1\.0e\+21\n  - 5\.0e-7\n  - 0\n  - 2\.5\n/);
  });

  describe('generated inputs read back identically with the yaml library', () => {
    // Strings built from the pieces YAML gives meaning to, and arbitrary Unicode.
    const piece = fc.constantFrom(
      '\n', '\r', ' ', '\t', ':', ': ', '#', ' #', '-', '- ', '?', '|', '>', '"', "'", '\\', '{', '}', '[', ']', ',', '&', '*', '!',
      '%', '@', '`', '~', '---', '...', '... ', '<<', '=', 'true', 'no', 'Y', 'null', '0', '1', '0x1F', '0o7', '017', '1e3', '.5', '1_000',
      '1:20', '2026-11-22', '.inf', 'e', 'E', '+', '_', 'a', 'Z', 'é', '日本', '😀', '\u2028', '\u0085', '\u007f', '\ufeff', '\u0000', '\u001b',
    );
    const text = fc.oneof(
      { weight: 3, arbitrary: fc.array(piece, { maxLength: 8 }).map((p) => p.join('')) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }) },
    );
    const key = text.filter((k) => k !== '__proto__');
    const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e21, 5e-7, 1e-300, 2 ** 53 + 2));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, number, fc.boolean(), fc.constant(null), tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    }));
    const object = fc.dictionary(key, value, { maxKeys: 6 }).map((extra) => doc(extra));
    // JSON has no -0: rendered objects never hold one, and YAML writes it as 0.
    const json = (o: unknown) => JSON.parse(JSON.stringify(o));

    test.each(['1.2', '1.1'] as const)('YAML %s', (version) => {
      fc.assert(
        fc.property(fc.array(object, { minLength: 1, maxLength: 3 }), (objects) => {
          expect(parse(toYaml(objects), version)).toEqual(json(objects));
        }),
        { numRuns: 300 },
      );
    });

    // Frozen values (the add-ons' shared cache entries) are emitted once per indentation and reused.
    test('a frozen value, shared by two objects at different depths, is written as if it were not', () => {
      const freeze = <T>(v: T): T => {
        if (v !== null && typeof v === 'object') {
          for (const x of Object.values(v)) freeze(x);
          Object.freeze(v);
        }
        return v;
      };
      fc.assert(
        fc.property(value, (shared) => {
          const objects = (v: unknown) => [doc({ spec: v, list: [v, { nested: v }] }), doc({ again: { deeper: v } })];
          const plain = toYaml(objects(json(shared)));
          const frozen = freeze(json(shared));
          expect(toYaml(objects(frozen))).toBe(plain);
          expect(toYaml(objects(frozen))).toBe(plain);
        }),
        { numRuns: 200 },
      );
    });
  });

  test('readable output: plain scalars, block literals for scripts, indented sequences', () => {
    const text = toYaml([doc({ data: { script: 'echo one\necho two\n', port: '8080' }, items: [{ name: 'a', value: 1 }] })]);
    expect(text).toBe([
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: x', 'data:', '  script: |', '    echo one', '    echo two',
      '  port: "8080"', 'items:', '  - name: a', '    value: 1', '',
    ].join('\n'));
  });
});
