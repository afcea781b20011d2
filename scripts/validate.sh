#!/usr/bin/env bash
# kubeconform -strict over everything rendered (dist/ and argocd/, or the paths given), against every
# Kubernetes version we support, with CRD schemas. Unknown kinds are errors, never skipped.
#
# Schemas: the ones pinned in schemas/ (written by `npm run schemas`), with no network and no setup. The
# Kubernetes versions are the folders of schemas/kubernetes/. To validate against other schemas instead:
#   KUBECONFORM_SCHEMAS=<dir>       a mirror with the layout of ../shared/schemas
#   KUBECONFORM_SCHEMAS=upstream    the public locations (kubeconform's Kubernetes schemas on GitHub and the
#                                   datreeio CRDs-catalog): needs the internet, and they are not pinned
set -euo pipefail
usage() {
  cat <<USAGE
usage: npm run validate [-- <file or folder>...]

kubeconform -strict over dist/ and argocd/ (or the paths given) against every Kubernetes version pinned in
schemas/kubernetes/, with the CRD schemas of schemas/crds/ (npm run schemas writes them).
environment: KUBECONFORM_SCHEMAS=<mirror dir> | upstream, KUBERNETES_VERSIONS="1.27.0 1.35.0", KUBECONFORM_FLAGS
USAGE
}
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    -*) echo "error: unknown option '$arg'" >&2; echo >&2; usage >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
kubeconform=$(scripts/ensure-kubeconform.sh)
schemas="${KUBECONFORM_SCHEMAS:-schemas}"
if [[ -n "${KUBERNETES_VERSIONS:-}" ]]; then
  versions=($KUBERNETES_VERSIONS)
else
  versions=()
  for d in schemas/kubernetes/v*-standalone-strict; do [[ -d $d ]] && { d=${d#schemas/kubernetes/v}; versions+=("${d%-standalone-strict}"); }; done
fi
if [[ ${#versions[@]} -eq 0 ]]; then
  echo "validate: no Kubernetes versions in schemas/kubernetes/ — run 'npm run schemas'" >&2
  exit 1
fi
if [[ "$schemas" == upstream ]]; then
  locations=(
    -schema-location default
    -schema-location 'https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'
  )
else
  dir=$(cd "$schemas" && pwd)
  locations=(
    -schema-location "$dir/kubernetes/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json"
    -schema-location "$dir/crds/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
  )
fi
if [[ $# -gt 0 ]]; then targets=("$@"); else targets=(); for d in dist argocd; do [[ -d $d ]] && targets+=("$d"); done; fi
# kubeconform skips CustomResourceDefinitions (no schema validates a CRD itself; the API-server check does), but
# only after reading them, and the add-ons' CRDs are four fifths of the output's bytes. A YAML file each of whose
# documents is a CRD (written block style: `kind: CustomResourceDefinition` at the start of a line, no other
# top-level kind) is left out before; anything else, in doubt, goes to kubeconform.
all_files=$(for t in "${targets[@]}"; do
  if [[ -d $t ]]; then find "$t" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \); else printf '%s\n' "$t"; fi
done | sort)
crd_only=$(grep -E '\.ya?ml$' <<<"$all_files" | tr '\n' '\0' | xargs -0 -r awk '
  function end_doc() { if (!doc_crd) ok = 0; doc_crd = 0 }
  function end_file() { end_doc(); if (ok && file != "") print file }
  FNR == 1 { end_file(); file = FILENAME; ok = 1; doc_crd = 0 }
  /^---/ { end_doc(); next }
  /^kind:/ { if ($0 == "kind: CustomResourceDefinition") doc_crd = 1; else ok = 0 }
  END { end_file() }' | sort)
if [[ -n "$crd_only" ]]; then
  echo "validate: $(wc -l <<<"$crd_only") file(s) hold only CustomResourceDefinitions and are left out (kubeconform skips CRDs)"
  mapfile -t targets < <(comm -23 <(printf '%s\n' "$all_files") <(printf '%s\n' "$crd_only"))
  if [[ ${#targets[@]} -eq 0 ]]; then echo "validate: nothing else to validate"; exit 0; fi
fi
# kubeconform takes one Kubernetes version per run: the versions run at the same time, and their outputs are
# printed in order afterwards.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pids=()
for version in "${versions[@]}"; do
  "$kubeconform" -strict -summary -kubernetes-version "$version" -skip CustomResourceDefinition \
    "${locations[@]}" ${KUBECONFORM_FLAGS:-} "${targets[@]}" >"$work/$version.out" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!versions[@]}"; do
  wait "${pids[$i]}" || status=1
  echo "kubeconform: Kubernetes ${versions[$i]} (schemas: $schemas)"
  cat "$work/${versions[$i]}.out"
done
if [[ $status -ne 0 && "$schemas" == schemas ]] && grep -q 'could not find schema' "$work"/*.out; then
  echo "validate: a kind has no pinned schema — if it is meant to be rendered, run 'npm run schemas' and commit schemas/ (docs/validation.md)" >&2
fi
exit $status
