import { k8s } from './k8s';

/**
 * Writable scratch space for a container whose root filesystem is read-only: one size-limited emptyDir per
 * path, the first named `tmp`.
 */
export function writableVolumes(paths: readonly string[]): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const names = paths.map((_, i) => (i === 0 ? 'tmp' : `writable-${i}`));
  return {
    volumes: names.map((name) => ({ name, emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } })),
    mounts: names.map((name, i) => ({ name, mountPath: paths[i] })),
  };
}
