#!/usr/bin/env bash
# Regenerates imports/ (typed classes for the CRDs the charts render) with `cdk8s import`, offline,
# from the CRD YAMLs of the schema mirror. `cdk8s import` writes one file per API group and overwrites
# it per input, so the CRDs of one group are concatenated first. Rendering never reads the mirror:
# imports/ is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
crds="${CRD_YAML_DIR:-../shared/schemas/crd-yaml}"
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

rm -f imports/*.ts
for group in external-secrets.io monitoring.coreos.com argoproj.io karpenter.sh karpenter.k8s.aws; do
  npx cdk8s import --language typescript --output imports "$work/$group.yaml"
done
