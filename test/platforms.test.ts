import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORMS } from '../charts';
import type { PlatformDefinition } from '../lib/platform';
import { ROOT } from './helpers';
import { unrenderedCharts } from './support/chart-registry';

describe('every chart file is rendered', () => {
  test('each folder of charts/ is a platform, and each chart class in it is listed in its index.ts', () => {
    expect(unrenderedCharts(join(ROOT, 'charts'), PLATFORMS)).toEqual([]);
  });

  test('a chart missing from its index.ts and a folder missing from charts/index.ts are reported', () => {
    const root = mkdtempSync(join(tmpdir(), 'charts-'));
    try {
      const chart = (name: string) =>
        `import { PlatformChart } from ${JSON.stringify(join(ROOT, 'lib/platform-chart'))};\nexport class ${name} extends PlatformChart {}\nexport const helper = 1;\n`;
      mkdirSync(join(root, 'charts/shop'), { recursive: true });
      mkdirSync(join(root, 'charts/forgotten'), { recursive: true });
      writeFileSync(join(root, 'charts/shop/web.ts'), chart('WebChart'));
      writeFileSync(join(root, 'charts/shop/extra.ts'), chart('ExtraChart'));
      const { WebChart } = require(join(root, 'charts/shop/web.ts')); // eslint-disable-line @typescript-eslint/no-require-imports
      const shop: PlatformDefinition = { name: 'shop', description: 'shop', charts: [WebChart] };
      expect(unrenderedCharts(join(root, 'charts'), [shop])).toEqual([
        'charts/forgotten/ is no platform: export its PlatformDefinition from charts/forgotten/index.ts and add it to PLATFORMS in charts/index.ts',
        'charts/shop/extra.ts: ExtraChart is rendered by no platform: add it to charts in charts/shop/index.ts',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
