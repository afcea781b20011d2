#!/usr/bin/env bash
# Builds promtool from Go modules (tools/promtool/go.mod) into .tools/promtool/bin/, for `promtool test rules`.
# Skips the build when the binary exists and was built from the same go.mod/go.sum/this script/Go version.
# Uses Go's default module and build caches (outside the repo), so a rebuild after a bump stays incremental.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${PROMTOOL_BIN_DIR:-$root/.tools/promtool/bin}"

GO="${GO:-}"
if [ -z "$GO" ]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)";
  elif [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go;
  else echo "build.sh: no Go toolchain found (set GO=/path/to/go)" >&2; exit 1; fi
fi

stamp_want="$( { cat "$here/go.mod" "$here/go.sum" "$here/build.sh"; "$GO" version; } | sha256sum | cut -d' ' -f1)"
stamp_file="$bin/.stamp"
if [ "${1:-}" != "--force" ] && [ -x "$bin/promtool" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_want" ]; then
  echo "build.sh: promtool up to date in ${bin#$root/}"
  exit 0
fi

mkdir -p "$bin"
rm -f "$stamp_file"
version="$(awk '$1=="github.com/prometheus/prometheus"{print $2}' "$here/go.mod" | head -n1)"
echo "build.sh: building promtool $version with $("$GO" version | cut -d' ' -f3)"
start=$(date +%s)
tmp="$(mktemp -d "$bin/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# remove_all_sd: rule tests need no service discovery, and leaving out the cloud SDKs halves the build.
(
  cd "$here"
  CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" "$GO" build -trimpath -tags remove_all_sd -ldflags "-s -w" \
    -o "$tmp/promtool" github.com/prometheus/prometheus/cmd/promtool
)
mv -f "$tmp/promtool" "$bin/promtool"
echo "$stamp_want" > "$stamp_file"
echo "build.sh: built in $(( $(date +%s) - start ))s into ${bin#$root/}"
