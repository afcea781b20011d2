#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, etcd and kubectl from Go modules (tools/apiserver/go.mod) into .tools/apiserver/bin/.
# Skips the build when the binaries exist and were built from the same go.mod/go.sum/this script/Go version.
# Uses Go's default module and build caches (outside the repo), so a rebuild after a bump stays incremental.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${APISERVER_BIN_DIR:-$root/.tools/apiserver/bin}"

GO="${GO:-}"
if [ -z "$GO" ]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)";
  elif [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go;
  else echo "build.sh: no Go toolchain found (set GO=/path/to/go)" >&2; exit 1; fi
fi

# The Kubernetes version is the one k8s.io/kubernetes is pinned at in go.mod.
k8s_version="$(awk '$1=="require" && $2=="k8s.io/kubernetes"{print $3} $1=="k8s.io/kubernetes" && $2 ~ /^v/{print $2}' "$here/go.mod" | head -n1)"
if [ -z "$k8s_version" ]; then echo "build.sh: cannot read the k8s.io/kubernetes version from go.mod" >&2; exit 1; fi
minor="$(echo "$k8s_version" | cut -d. -f2)"

stamp_want="$( { cat "$here/go.mod" "$here/go.sum" "$here/build.sh"; "$GO" version; } | sha256sum | cut -d' ' -f1)"
stamp_file="$bin/.stamp"
if [ "${1:-}" != "--force" ] && [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] && [ -x "$bin/etcd" ] && [ -x "$bin/kubectl" ] \
   && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_want" ]; then
  echo "build.sh: binaries up to date in ${bin#$root/} (kubernetes $k8s_version)"
  exit 0
fi

mkdir -p "$bin"
rm -f "$stamp_file"
echo "build.sh: building kube-apiserver, kube-controller-manager, etcd, kubectl $k8s_version with $("$GO" version | cut -d' ' -f3) (first build takes long on 2 cores)"
start=$(date +%s)
pkg=component-base/version
ldflags="-s -w"
for p in k8s.io/$pkg k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$k8s_version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
tmp="$(mktemp -d "$bin/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# One `go build` for the four mains so the shared packages compile once and both cores stay busy.
(
  cd "$here"
  CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" "$GO" build -trimpath -ldflags "$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl \
    go.etcd.io/etcd/server/v3
)
# go names the etcd main after its module path minus the major suffix: "server".
mv -f "$tmp/kube-apiserver" "$bin/kube-apiserver"
mv -f "$tmp/kube-controller-manager" "$bin/kube-controller-manager"
mv -f "$tmp/kubectl" "$bin/kubectl"
mv -f "$tmp/server" "$bin/etcd"
echo "$stamp_want" > "$stamp_file"
echo "build.sh: built in $(( $(date +%s) - start ))s into ${bin#$root/}"
