#!/usr/bin/env bash
# kubeconform -strict over everything rendered (dist/ and argocd/, or the paths given), against every
# Kubernetes version we support, with CRD schemas. Unknown kinds are errors, never skipped.
#
# Schemas: by default the public locations (kubeconform's own Kubernetes schemas and the datreeio
# CRDs-catalog). Offline, set KUBECONFORM_SCHEMAS to a mirror with the layout of shared/schemas:
#   KUBECONFORM_SCHEMAS=../shared/schemas npm run validate
set -euo pipefail
cd "$(dirname "$0")/.."
kubeconform=$(scripts/ensure-kubeconform.sh)
versions=(${KUBERNETES_VERSIONS:-1.27.0 1.35.0})
# Custom resources of the add-ons are checked against the CRDs rendered into dist/ (the versions the clusters
# get), before any other location.
node scripts/crd-schemas.mjs .build/crd-schemas dist
rendered=(-schema-location "$PWD/.build/crd-schemas/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json")
if [[ -n "${KUBECONFORM_SCHEMAS:-}" ]]; then
  mirror=$(cd "$KUBECONFORM_SCHEMAS" && pwd)
  locations=(
    -schema-location "$mirror/kubernetes/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json"
    -schema-location "$mirror/crds/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
  )
else
  locations=(
    -schema-location default
    -schema-location 'https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'
  )
fi
if [[ $# -gt 0 ]]; then targets=("$@"); else targets=(); for d in dist argocd; do [[ -d $d ]] && targets+=("$d"); done; fi
# Both Kubernetes versions run at once (kubeconform is mostly waiting on schema files); outputs are
# printed in order afterwards.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pids=()
for version in "${versions[@]}"; do
  "$kubeconform" -strict -summary -kubernetes-version "$version" -skip CustomResourceDefinition \
    "${rendered[@]}" "${locations[@]}" ${KUBECONFORM_FLAGS:-} "${targets[@]}" >"$work/$version.out" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!versions[@]}"; do
  wait "${pids[$i]}" || status=1
  echo "kubeconform: Kubernetes ${versions[$i]} ${KUBECONFORM_SCHEMAS:+(schemas from $KUBECONFORM_SCHEMAS)}"
  cat "$work/${versions[$i]}.out"
done
exit $status
