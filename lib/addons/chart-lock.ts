import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, formatZodIssues } from '../errors';

/** The committed chart lock: every Helm chart the add-ons render from, pinned by version and archive digest. */
export const CHART_LOCK_FILE = 'addons/charts.lock.json';

export const lockedChartSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a chart name'),
  version: z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'must be an exact chart version (MAJOR.MINOR.PATCH), never a range'),
  /** Upstream Helm repository (https://…) or OCI registry (oci://…) the chart is published to. */
  repository: z.string().regex(/^(https:\/\/|oci:\/\/)\S+$/, 'must be an https:// Helm repository or an oci:// registry'),
  /** sha256 of the chart archive (.tgz) the committed render was made from. */
  sha256: z.string().regex(/^[a-f0-9]{64}$/, 'must be 64 lower-case hex digits'),
});

export const chartLockSchema = z.strictObject({ charts: z.array(lockedChartSchema).min(1) })
  .refine((l) => new Set(l.charts.map((c) => c.name)).size === l.charts.length, { message: 'a chart is listed twice', path: ['charts'] });

export type LockedChart = z.output<typeof lockedChartSchema>;

/** The charts of the lock by name. */
export class ChartLock {
  public static load(root: string = process.cwd()): ChartLock {
    const file = join(root, CHART_LOCK_FILE);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read the chart lock ${CHART_LOCK_FILE}: ${(e as Error).message}`);
    }
    const parsed = chartLockSchema.safeParse(json);
    if (!parsed.success) throw new ConfigError(`${CHART_LOCK_FILE} is invalid:\n${formatZodIssues(parsed.error)}`);
    return new ChartLock(parsed.data.charts);
  }

  private constructor(public readonly charts: readonly LockedChart[]) {}

  /** This lock with some charts at other versions (a rehearsed upgrade); each must be a chart of the lock. */
  public with(changes: readonly LockedChart[]): ChartLock {
    for (const c of changes) this.get(c.name);
    return new ChartLock(this.charts.map((c) => changes.find((x) => x.name === c.name) ?? c));
  }

  public get(name: string): LockedChart {
    const chart = this.charts.find((c) => c.name === name);
    if (!chart) {
      throw new ConfigError(`chart ${name} is not in ${CHART_LOCK_FILE} (locked: ${this.charts.map((c) => c.name).join(', ')}) — add its name, version, repository and sha256`);
    }
    return chart;
  }
}
