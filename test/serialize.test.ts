import { parseAllDocuments } from 'yaml';
import { renderAll } from '../lib/render/pipeline';
import { toYaml } from '../lib/render/serialize';
import type { KubeObject } from '../lib/render/kube-object';

const parse = (text: string) => parseAllDocuments(text).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS();
});
const doc = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, ...extra }) as KubeObject;

describe('YAML emitter', () => {
  test('every rendered file parses back (yaml library) to exactly the rendered objects', () => {
    const result = renderAll();
    for (const file of result.files) {
      const [env, ...rest] = file.path.split('/');
      expect(parse(result.dist.get(env)!.get(rest.join('/'))!)).toEqual(file.objects);
    }
  });

  test('strings YAML could misread are quoted; everything round-trips', () => {
    const tricky = [
      'true', 'no', 'on', 'null', '~', '1.27', '0400', '0x1F', '1e3', '2026-11-22', '12:30:00', '*.example.com', '&anchor',
      '- item', 'key: value', 'ends with colon:', 'a #comment', "it's", '"quoted"', '', ' leading', 'trailing ', '[{"HTTP": 80}]',
      '{braces}', '%percent', '@at', '`tick`', '|pipe', '>fold', '!tag', 'tab\there', 'multi\nline\n', 'multi\nline', 'x\n\n', '  indented\nblock',
      'line\n  \nwith blank spaces', 'win\r\nline', '8.4.3', 'eu-west-1', '/health/ready', '$(VAR)', 'sha256:abc', 'a,b', 'ünïcode',
    ];
    const data = Object.fromEntries(tricky.map((s, i) => [`k${i}`, s]));
    const objects = [doc({ data, list: tricky, nested: [[1, 2], [], {}, [{ a: 1 }]], n: [0, -1, 3.5, true, false, null] })];
    expect(parse(toYaml(objects))).toEqual(objects);
  });

  test('readable output: plain scalars, block literals for scripts, indented sequences', () => {
    const text = toYaml([doc({ data: { script: 'echo one\necho two\n', port: '8080' }, items: [{ name: 'a', value: 1 }] })]);
    expect(text).toBe([
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: x', 'data:', '  script: |', '    echo one', '    echo two',
      '  port: "8080"', 'items:', '  - name: a', '    value: 1', '',
    ].join('\n'));
  });
});
