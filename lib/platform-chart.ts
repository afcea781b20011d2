import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { Environment } from '../environments/schema';
import { PlatformContext } from './platform-context';

/**
 * Base of every chart of a platform: one chart is one rendered file, `dist/<env>/<platform>/<id>.yaml`.
 * It carries the typed environment, so constructs inside read their settings from it, and it turns off
 * cdk8s's hashed names: every object name is chosen.
 */
export class PlatformChart extends Chart {
  /** The chart that contains a construct. */
  public static platformOf(construct: IConstruct): PlatformChart {
    const chart = Chart.of(construct);
    if (!(chart instanceof PlatformChart)) {
      throw new Error(`${construct.node.path} must be created inside a PlatformChart`);
    }
    return chart as PlatformChart;
  }

  public readonly context: PlatformContext;

  constructor(scope: Construct, id: string, context: PlatformContext) {
    super(scope, id, { namespace: context.namespace, disableResourceNameHashes: true });
    this.context = context;
  }

  /** The file that defines the chart, for messages: `charts/<platform>/<chart id>.ts` by convention. */
  public get sourceFile(): string {
    return `charts/${this.context.platform}/${this.node.id}.ts`;
  }

  public get env(): Environment {
    return this.context.env;
  }
}

/** A chart class of a platform, e.g. `CustomerServiceChart`. */
export type PlatformChartClass = new (scope: Construct, context: PlatformContext) => PlatformChart;
