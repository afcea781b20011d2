#!/usr/bin/env bash
# Prints the path of the pinned helm, installing it into .tools/bin with `go install` when it is missing.
# Only the add-on render needs it, and only when a chart or its values changed (lib/addons/render-cache.ts);
# a checkout whose committed render is current never calls this. Go's module and build caches stay where
# Go keeps them (outside the repository), so a reinstall only relinks.
set -euo pipefail
VERSION=v3.19.5
cd "$(dirname "$0")/.."
bin="$PWD/.tools/bin/helm"
stamp="$PWD/.tools/bin/helm.version"
if [[ -x "$bin" && "$(cat "$stamp" 2>/dev/null)" == "$VERSION" ]]; then
  echo "$bin"
  exit 0
fi
go=$(command -v go || true)
[[ -z "$go" && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
if [[ -z "$go" ]]; then
  cat >&2 <<MSG
helm $VERSION is not installed and Go is not available to install it.
Install Go >= 1.24 (https://go.dev/dl/) and run this again, or install helm $VERSION yourself and
copy it to $bin with the line '$VERSION' in $stamp.
MSG
  exit 127
fi
echo "installing helm $VERSION into .tools/bin (go install, first run only; a few minutes on 2 cores)..." >&2
mkdir -p "$(dirname "$bin")"
# helm.sh/helm/v3's go.mod has no replace lines, so plain `go install` builds it. The ldflags give
# `helm version` the real version (a plain build reports v3.19 with no patch).
CGO_ENABLED=0 GOBIN="$(dirname "$bin")" GOFLAGS=-mod=mod nice -n 10 "$go" install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
  "helm.sh/helm/v3/cmd/helm@$VERSION" >&2
echo "$VERSION" > "$stamp"
echo "$bin"
