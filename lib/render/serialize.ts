import { stringify } from 'yaml';
import type { KubeObject } from './kube-object';

const OPTIONS = {
  // Long strings (annotations, scripts) stay on one line or in block scalars; never folded at 80 columns.
  lineWidth: 0,
  minContentWidth: 0,
  // cdk8s hands out shared objects (one selector used twice); YAML anchors would make the files unreadable.
  aliasDuplicateObjects: false,
} as const;

/** A chart's objects as one multi-document YAML file. Keys are already sorted by cdk8s. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, OPTIONS)).join('---\n');
}
