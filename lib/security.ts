import type { k8s } from './k8s';

/** The numeric user our own images run as (non-root, outside the range of system users). */
export const DEFAULT_RUN_AS_USER = 10001;

/** Pod-level security for the `restricted` Pod Security Standard. */
export function restrictedPodSecurityContext(uid: number, gid: number = uid): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security for the `restricted` Pod Security Standard, with a read-only root filesystem. */
export function restrictedContainerSecurityContext(uid: number, gid: number = uid): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
