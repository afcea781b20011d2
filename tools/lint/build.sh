#!/usr/bin/env bash
# Builds the manifest linters from Go modules into .tools/lint/bin (git-ignored) with CGO_ENABLED=0. Go's
# module and build caches stay where Go keeps them, so a rebuild only links. A stamp per tool skips the build
# while the pinned version is unchanged.
#
# kube-score  github.com/zegl/kube-score         v1.20.0  built here
# Polaris     github.com/fairwindsops/polaris     —        the module proxy serves no version of it (its go.mod
#                                                          path lacks the /v9 suffix its tags need), so
#                                                          `go install` cannot fetch it: see docs/runtime.md
# kube-linter golang.stackrox.io/kube-linter      —        its module host is not reachable through the proxy
# If `polaris` or `kube-linter` is on PATH, scripts/lint-manifests.sh runs it too.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$PWD/.tools/lint/bin"
mkdir -p "$bin"
go=$(command -v go || true)
[[ -z "$go" && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
install() { # name module version
  local name=$1 module=$2 version=$3
  if [[ -x "$bin/$name" && "$(cat "$bin/$name.version" 2>/dev/null)" == "$version" ]]; then return 0; fi
  if [[ -z "$go" ]]; then echo "$name $version is not installed and Go is not available: install Go >= 1.24" >&2; exit 127; fi
  echo "building $name $version into .tools/lint/bin (first run only)..." >&2
  CGO_ENABLED=0 GOBIN="$bin" GOFLAGS=-mod=mod nice -n 10 "$go" install "$module@$version" >&2
  echo "$version" > "$bin/$name.version"
}
install kube-score github.com/zegl/kube-score/cmd/kube-score v1.20.0
