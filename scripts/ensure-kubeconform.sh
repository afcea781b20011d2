#!/usr/bin/env bash
# Prints the path of the pinned kubeconform, installing it into .tools/bin with `go install` when it is
# missing. Go's module and build caches stay where Go keeps them (outside the repository), so a second
# install is quick.
set -euo pipefail
VERSION=v0.7.0
cd "$(dirname "$0")/.."
bin="$PWD/.tools/bin/kubeconform"
stamp="$PWD/.tools/bin/kubeconform.version"
if [[ -x "$bin" && "$(cat "$stamp" 2>/dev/null)" == "$VERSION" ]]; then
  echo "$bin"
  exit 0
fi
go=$(command -v go || true)
[[ -z "$go" && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
if [[ -z "$go" ]]; then
  cat >&2 <<MSG
kubeconform $VERSION is not installed and Go is not available to install it.
Install Go >= 1.24 (https://go.dev/dl/) and run this again, or install kubeconform $VERSION yourself and
copy it to $bin with the line '$VERSION' in $stamp.
MSG
  exit 127
fi
echo "installing kubeconform $VERSION into .tools/bin (go install, first run only)..." >&2
mkdir -p "$(dirname "$bin")"
GOBIN="$(dirname "$bin")" GOFLAGS=-mod=mod "$go" install "github.com/yannh/kubeconform/cmd/kubeconform@$VERSION" >&2
echo "$VERSION" > "$stamp"
echo "$bin"
