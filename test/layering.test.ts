import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..');

// The layers are declared in .dependency-cruiser.cjs; dependency-cruiser checks every import against them.
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const CRUISER = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

// dependency-cruiser keeps what it learnt of each file there, keyed by the file's content and the rules; a warm run
// reads only what changed (0.8 s instead of 2.3 s of CPU).
const CACHE = join(ROOT, '.build', 'dependency-cruiser');

function cruise(cwd: string, paths: readonly string[], cache?: string): Violation[] {
  const caching = cache ? ['--cache', cache, '--cache-strategy', 'content'] : [];
  const r = spawnSync(process.execPath, [CRUISER, '--config', CONFIG, '--output-type', 'json', ...caching, ...paths], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (!r.stdout.trim().startsWith('{')) throw new Error(`dependency-cruiser did not report (exit ${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const brief = (vs: readonly Violation[]): string[] => vs.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();

describe('every import points down (.dependency-cruiser.cjs)', () => {
  test('the repository breaks no layer rule and has no import cycle', () => {
    expect(brief(cruise(ROOT, ['cli', 'lib', 'charts', 'environments', 'imports', 'main.ts', 'bench', 'tools', 'scripts', 'test'], CACHE))).toEqual([]);
  });

  describe('a known-bad tree is refused, rule by rule', () => {
    let dir: string;
    let found: string[];
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'layering-'));
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }),
        'charts/index.ts': "export const PLATFORMS = [] as const;\n",
        'cli/synth.ts': "import { render } from '../lib/render/pipeline';\nrender();\n",
        // The bug this repository had: the library reached up for the list of platforms.
        'lib/render/pipeline.ts': "import { PLATFORMS } from '../../charts';\nimport { gate } from '../policy/gate';\nexport const render = () => gate(PLATFORMS.length);\n",
        // render -> policy -> render: a folder cycle through a shared type.
        'lib/policy/gate.ts': "import type { render } from '../render/pipeline';\nexport const gate = (n: number): ReturnType<typeof render> | number => n;\n",
        'lib/argocd/plan.ts': "import { render } from '../render/pipeline';\nimport { ADDONS } from '../addons/catalog';\nexport const plan = () => [render, ADDONS];\n",
        // The loop this repository had: no module reaches itself, but the catalog borrows Argo CD's waves while
        // Argo CD makes Applications of the catalog, so the two folders import each other.
        'lib/argocd/waves.ts': "export const WAVES = { addons: -4 } as const;\n",
        'lib/addons/catalog.ts': "import { WAVES } from '../argocd/waves';\nexport const ADDONS = [{ name: 'argo-cd', wave: WAVES.addons }];\n",
        'lib/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'lib/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
        'lib/args.ts': "import '../cli/synth';\n",
        'lib/errors.ts': "import { a } from './a';\nexport const oops = a;\n",
        'environments/dev.ts': "import { a } from '../lib/a';\nimport { oops } from '../lib/errors';\nexport const dev = [a, oops];\n",
      };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      found = brief(cruise(dir, ['cli', 'lib', 'charts', 'environments']));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test.each([
      ['library-not-above-platforms', 'lib/render/pipeline.ts -> charts/index.ts'],
      ['nothing-imports-entry-points', 'lib/args.ts -> cli/synth.ts'],
      ['no-cycles', 'lib/a.ts -> lib/b.ts'],
      ['no-cycles', 'lib/policy/gate.ts -> lib/render/pipeline.ts'],
      ['policy-below-everything-it-checks', 'lib/policy/gate.ts -> lib/render/pipeline.ts'],
      ['render-on-top-of-library', 'lib/argocd/plan.ts -> lib/render/pipeline.ts'],
      ['argocd-below-render', 'lib/argocd/plan.ts -> lib/render/pipeline.ts'],
      ['addons-below-argocd', 'lib/addons/catalog.ts -> lib/argocd/waves.ts'],
      ['no-folder-cycles-in-library', 'lib/addons -> lib/argocd'],
      ['no-folder-cycles-in-library', 'lib/policy -> lib/render'],
      ['model-below-library', 'environments/dev.ts -> lib/a.ts'],
      ['leaf-helpers-are-leaves', 'lib/errors.ts -> lib/a.ts'],
    ])('%s: %s', (rule, edge) => {
      expect(found).toContain(`${rule}: ${edge}`);
    });

    test('an allowed import is not reported: the model may use the leaf helpers', () => {
      expect(found.filter((f) => f.endsWith('environments/dev.ts -> lib/errors.ts'))).toEqual([]);
    });

    test('an allowed import is not reported: Argo CD builds on the add-on catalog', () => {
      expect(found.filter((f) => f.endsWith('lib/argocd/plan.ts -> lib/addons/catalog.ts'))).toEqual([]);
    });

    test('a folder loop without a module cycle is caught only at folder scope', () => {
      expect(found.filter((f) => f.startsWith('no-cycles:') && f.includes('lib/addons/'))).toEqual([]);
    });
  });
});
