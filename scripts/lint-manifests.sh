#!/usr/bin/env bash
# `npm run lint:manifests`: kube-score over every rendered manifest of dist/. Checks whose findings are
# accepted on purpose are switched off here, each with its reason in docs/runtime.md ("Linters"); any other
# finding fails the run. Polaris and kube-linter run too when they are on PATH (they cannot be built from the
# Go module proxy here; see tools/lint/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/lint/build.sh
if [[ $# -gt 0 ]]; then files=("$@"); else files=(dist/*/*/*.yaml); fi
status=0
# Accepted (docs/runtime.md, "Linters"): CPU limits are left out on purpose; IfNotPresent with immutable
# tags; uids of the official images; ephemeral storage bounded by emptyDir sizeLimits and a read-only root;
# spread by topologySpreadConstraints instead of anti-affinity; database probes; the HPA check misreads an
# absent replicas field; NodePort, one replica and Recreate where the design asks for them; the restore Jobs'
# NetworkPolicies select pods that exist only while a restore runs.
out=$(.tools/lint/bin/kube-score score "${files[@]}" --output-format ci --exit-one-on-warning --ignore-container-cpu-limit \
  --ignore-test container-image-pull-policy \
  --ignore-test container-security-context-user-group-id \
  --ignore-test container-ephemeral-storage-request-and-limit \
  --ignore-test deployment-has-host-podantiaffinity \
  --ignore-test statefulset-has-host-podantiaffinity \
  --ignore-test pod-probes-identical \
  --ignore-test deployment-targeted-by-hpa-does-not-have-replicas-configured \
  --ignore-test service-type \
  --ignore-test deployment-replicas \
  --ignore-test deployment-strategy \
  --ignore-test networkpolicy-targets-pod 2>&1) || status=1
grep -vE '^\[(OK|SKIPPED)\]' <<<"$out" || true
if command -v polaris >/dev/null; then polaris audit --audit-path dist --format pretty --set-exit-code-on-danger || status=1; fi
if command -v kube-linter >/dev/null; then kube-linter lint dist || status=1; fi
if [[ $status -eq 0 ]]; then echo "lint:manifests: kube-score found nothing beyond the accepted checks (${#files[@]} files)"; else echo "lint:manifests: findings above" >&2; fi
exit $status
