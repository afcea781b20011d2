#!/usr/bin/env bash
# Regenerates imports/ (typed classes for the CRDs the charts render) with `cdk8s import`, offline,
# from the CRD YAMLs of the schema mirror. `cdk8s import` writes one file per API group and overwrites
# it per input, so the CRDs of one group are concatenated first. Rendering never reads the mirror:
# imports/ is committed.
#
# `cdk8s import` records every file it imports in the cdk8s.yaml of its working directory (dropping the
# comments and adding our temporary paths), so it runs in the temporary folder: cdk8s.yaml stays as it is.
set -euo pipefail
usage() {
  cat <<USAGE
usage: npm run import [-- --help]

Regenerates imports/ (typed classes of the CRDs the charts use) with cdk8s import, offline, from the CRD
YAMLs in CRD_YAML_DIR (default ../shared/schemas/crd-yaml). Leaves cdk8s.yaml unchanged.
USAGE
}
case "${1:-}" in
  "") ;;
  -h|--help) usage; exit 0 ;;
  *) echo "error: unknown argument '$1'" >&2; echo >&2; usage >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
root="$PWD"
crds="$(cd "${CRD_YAML_DIR:-../shared/schemas/crd-yaml}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

bundle() { # group file...
  local group="$1"; shift
  for f in "$@"; do cat "$crds/$f"; printf '\n---\n'; done > "$work/$group.yaml"
}
bundle external-secrets.io external-secrets-v2.9.0/external-secrets.io_externalsecrets.yaml \
  external-secrets-v2.9.0/external-secrets.io_clustersecretstores.yaml
bundle monitoring.coreos.com prometheus-operator/monitoring.coreos.com_servicemonitors.yaml \
  prometheus-operator/monitoring.coreos.com_prometheusrules.yaml
bundle argoproj.io argo-cd-v3.5.1/application-crd.yaml argo-cd-v3.5.1/appproject-crd.yaml
bundle karpenter.sh karpenter/karpenter.sh_nodepools.yaml
bundle karpenter.k8s.aws karpenter/karpenter.k8s.aws_ec2nodeclasses.yaml

mkdir -p "$work/out"
for group in external-secrets.io monitoring.coreos.com argoproj.io karpenter.sh karpenter.k8s.aws; do
  (cd "$work" && "$root/node_modules/.bin/cdk8s" import --language typescript --output "$work/out" "$work/$group.yaml")
done
# Replaced only once every group imported.
rm -f imports/*.ts
cp "$work"/out/*.ts imports/
