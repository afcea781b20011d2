import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { PlatformDefinition } from '../../lib/platform';
import { PlatformChart } from '../../lib/platform-chart';

/**
 * What the render would silently leave out: a folder of `charts/` that is no platform of `charts/index.ts`, and a
 * chart class of a platform's folder that its `index.ts` does not list. Each problem says what to add where.
 */
export function unrenderedCharts(chartsDir: string, platforms: readonly PlatformDefinition[], root = join(chartsDir, '..')): string[] {
  const problems: string[] = [];
  for (const name of readdirSync(chartsDir).sort()) {
    const folder = join(chartsDir, name);
    if (!statSync(folder).isDirectory()) continue;
    const where = relative(root, folder);
    const platform = platforms.find((p) => p.name === name);
    if (!platform) {
      problems.push(`${where}/ is no platform: export its PlatformDefinition from ${where}/index.ts and add it to PLATFORMS in ${relative(root, join(chartsDir, 'index.ts'))}`);
      continue;
    }
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts') && f !== 'index.ts').sort()) {
      const exported = require(join(folder, file)) as Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-require-imports
      for (const [symbol, value] of Object.entries(exported)) {
        if (!extendsPlatformChart(value)) continue;
        if (!platform.charts.includes(value as PlatformDefinition['charts'][number])) {
          problems.push(`${where}/${file}: ${symbol} is rendered by no platform: add it to charts in ${where}/index.ts`);
        }
      }
    }
  }
  return problems;
}

/** Does a class extend PlatformChart? (cdk8s's Chart redefines `instanceof` for objects, so the chain is walked.) */
function extendsPlatformChart(value: unknown): boolean {
  if (typeof value !== 'function') return false;
  for (let c = Object.getPrototypeOf(value); c; c = Object.getPrototypeOf(c)) if (c === PlatformChart) return true;
  return false;
}
