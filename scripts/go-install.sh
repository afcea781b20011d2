#!/usr/bin/env bash
# Prints the path of a pinned Go tool in .tools/bin, installing it with `go install` when it is missing or
# another version. Go's module and build caches stay where Go keeps them (outside the repository), so a
# reinstall only relinks. Used by ensure-kubeconform.sh and ensure-helm.sh.
#
#   scripts/go-install.sh <name> <package>@<version> [<ldflags>]
set -euo pipefail
name=$1 package=${2%@*} version=${2##*@} ldflags=${3:-}
cd "$(dirname "$0")/.."
bin="$PWD/.tools/bin/$name"
stamp="$PWD/.tools/bin/$name.version"
if [[ -x "$bin" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then
  echo "$bin"
  exit 0
fi
go=$(command -v go || true)
[[ -z "$go" && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
if [[ -z "$go" ]]; then
  cat >&2 <<MSG
$name $version is not installed and Go is not available to install it.
Install Go >= 1.24 (https://go.dev/dl/) and run this again, or install $name $version yourself and
copy it to $bin with the line '$version' in $stamp.
MSG
  exit 127
fi
echo "installing $name $version into .tools/bin (go install, first run only)..." >&2
mkdir -p "$(dirname "$bin")"
CGO_ENABLED=0 GOBIN="$(dirname "$bin")" GOFLAGS=-mod=mod nice -n 10 "$go" install -trimpath ${ldflags:+-ldflags "$ldflags"} "$package@$version" >&2
echo "$version" > "$stamp"
echo "$bin"
