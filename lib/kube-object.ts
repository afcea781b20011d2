/** A rendered Kubernetes object, as plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** One file of `dist/`: the objects of one chart. */
export interface RenderedFile {
  /** Relative to the output root, e.g. `dev/sales-order/customer-service.yaml`. */
  readonly path: string;
  readonly objects: readonly KubeObject[];
}

/** Folder of `dist/<env>/` that holds the cluster-wide objects, beside one folder per platform. */
export const CLUSTER_FOLDER = 'cluster';

/** `Deployment sales-order/customer-service`, for messages. */
export function describe(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}
