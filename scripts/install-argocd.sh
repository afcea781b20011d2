#!/usr/bin/env bash
# Installs Argo CD into a new cluster from the committed render, in an order a fresh API server accepts:
# the CRDs its folder needs (its own, and ServiceMonitor's when monitoring is on), its Namespace, then
# dist/<env>/argo-cd/. After that the `argo-cd` Application keeps it as committed. Run from the repository root
# with kubectl pointed at the cluster; `npm run validate:argocd` bootstraps every check this way.
#
#   scripts/install-argocd.sh <env>          (KUBECTL=/path/to/kubectl to use another kubectl)
set -euo pipefail
env="${1:-}"
if [ -z "$env" ] || [ "$env" = "--help" ] || [ "$env" = "-h" ]; then
  echo "usage: scripts/install-argocd.sh <env>   (from the repository root; then: kubectl apply -f argocd/<env>/root.yaml)"
  [ -n "$env" ] && exit 0 || exit 2
fi
dist="dist/$env"
if [ ! -d "$dist/argo-cd" ] || [ ! -d "$dist/argo-cd-crds" ]; then
  echo "install-argocd.sh: no $dist/argo-cd/ and $dist/argo-cd-crds/ here (run from the repository root; environments: $(ls dist 2>/dev/null | tr '\n' ' '))" >&2
  exit 2
fi
kubectl="${KUBECTL:-kubectl}"

crds=("$dist"/argo-cd-crds/*.yaml)
for kind in $(grep -h '^kind:' "$dist"/argo-cd/*.yaml | awk '{print $2}' | sort -u); do
  for f in "$dist"/*-crds/*.yaml; do
    case "$f" in "$dist"/argo-cd-crds/*) continue ;; esac
    if grep -q "^    kind: $kind\$" "$f"; then crds+=("$f"); fi
  done
done
crd_args=()
for f in "${crds[@]}"; do crd_args+=(-f "$f"); done
"$kubectl" apply --server-side "${crd_args[@]}"
"$kubectl" wait --for=condition=Established --timeout=120s "${crd_args[@]}"
"$kubectl" apply --server-side -f "$dist/argo-cd/namespace.yaml"
"$kubectl" apply --server-side -f "$dist/argo-cd/"
