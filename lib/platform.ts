import type { PlatformChartClass } from './platform-chart';

/** One system of `shared/platforms.md`: its charts, each a file of `dist/<env>/<platform>/`. */
export interface PlatformDefinition {
  /** Name of the platform, its namespace and its folder, e.g. `sales-order`. */
  readonly name: string;
  /** One line for the README and the Argo CD Application. */
  readonly description: string;
  /** The platform's charts, one per service (with its own data store), in sync order. */
  readonly charts: readonly PlatformChartClass[];
}

/** ECR repository of the environment's account, where the platform teams push their images. */
export function ecrRepository(cluster: { readonly account_id: string; readonly region: string }, path: string): string {
  return `${cluster.account_id}.dkr.ecr.${cluster.region}.amazonaws.com/${path}`;
}
