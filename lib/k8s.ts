/**
 * The typed Kubernetes 1.27 API classes that ship with cdk8s-plus-27 (what `import { k8s } from
 * 'cdk8s-plus-27'` gives), loaded without the rest of cdk8s-plus: its L2 constructs are never used here
 * (their defaults — hashed names, selectors on cdk8s metadata, no seccomp — are wrong for production) and
 * loading them costs a fifth of a render.
 */
export * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
