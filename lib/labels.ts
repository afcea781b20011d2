/** The `app.kubernetes.io/*` labels every object carries. */
export interface AppLabelsProps {
  /** The component's name, e.g. `customer-service`. */
  readonly name: string;
  /** The platform the component belongs to, e.g. `sales-order`. */
  readonly partOf: string;
  /** Role within the platform, e.g. `backend`, `database`, `gateway`. */
  readonly component: string;
  /** Image tag or digest prefix of the running version. */
  readonly version?: string;
}

export const MANAGED_BY = 'platform-manifests';

/** Labels that identify a component's pods. Selectors are immutable, so they carry name and instance only. */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
}

export function appLabels(props: AppLabelsProps): Record<string, string> {
  return {
    ...selectorLabels(props.name),
    'app.kubernetes.io/component': props.component,
    'app.kubernetes.io/part-of': props.partOf,
    ...(props.version ? { 'app.kubernetes.io/version': labelValue(props.version) } : {}),
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** Label values are at most 63 characters of [A-Za-z0-9._-]; a digest is shortened to its first 12 hex digits. */
function labelValue(version: string): string {
  const value = version.replace(/^sha256:/, '').replace(/[^A-Za-z0-9._-]/g, '-');
  return (version.startsWith('sha256:') ? value.slice(0, 12) : value.slice(0, 63)).replace(/^[-._]+|[-._]+$/g, '');
}
