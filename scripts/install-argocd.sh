#!/usr/bin/env bash
# Installs Argo CD into a new cluster from the committed render, in an order a fresh API server accepts: every
# CustomResourceDefinition of the environment (dist/<env>/*-crds/, server-side), its Namespace, then
# dist/<env>/argo-cd/. After that the root app's `*-crds` Applications find the CRDs already as committed and
# adopt them without a sync, and the `argo-cd` Application keeps Argo CD as committed.
#
# Why every CRD here and not only Argo CD's: each new CRD makes kube-apiserver rebuild its OpenAPI and Argo CD
# re-read the cluster's APIs; some sixty of them created by Argo CD's first syncs kept its diff stale for minutes
# (5-6 self-heal syncs per CRD Application, 2.5 min of the first wave, measured by `npm run validate:argocd`).
# Created together before Argo CD starts, they cost seconds.
#
# Run from the repository root with kubectl pointed at the cluster; `npm run validate:argocd` bootstraps every
# check this way.
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

crds=("$dist"/*-crds/*.yaml)
crd_args=()
for f in "${crds[@]}"; do crd_args+=(-f "$f"); done
"$kubectl" apply --server-side "${crd_args[@]}"
# kubectl wait errors out (instead of waiting) on a CRD the API server has not written a status for yet.
for attempt in $(seq 1 60); do
  if "$kubectl" wait --for=condition=Established --timeout=120s "${crd_args[@]}" >/dev/null 2>&1; then break; fi
  if [ "$attempt" = 60 ]; then "$kubectl" wait --for=condition=Established --timeout=10s "${crd_args[@]}"; exit 1; fi
  sleep 1
done
"$kubectl" apply --server-side -f "$dist/argo-cd/namespace.yaml"
"$kubectl" apply --server-side -f "$dist/argo-cd/"
