#!/usr/bin/env bash
# Builds the Argo CD parts `npm run validate:argocd` runs from Go modules (tools/argocd/go.mod) into
# .tools/argocd/bin/: argocd-lite (application controller, repo server and git ask-pass, picked by the name it
# runs under), an in-memory redis, and git-verify-wrapper.sh from the module's hack/ (the repo server execs it
# for every git call), and the Application/AppProject CRDs of the same release (crds/). Skips the build when the outputs were built from the same go.mod/go.sum/sources/script.
# Go's module and build caches stay in their default places outside the repo, so a rebuild only relinks.
# Argo CD v3.6 needs Go >= 1.27: GOTOOLCHAIN=auto fetches the go.mod `toolchain` through the module proxy.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${ARGOCD_BIN_DIR:-$root/.tools/argocd/bin}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

GO="${GO:-}"
if [ -z "$GO" ]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)";
  elif [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go;
  else echo "build.sh: no Go toolchain found (set GO=/path/to/go)" >&2; exit 1; fi
fi

version="$(awk '$1=="github.com/argoproj/argo-cd/v3"{print $2}' "$here/go.mod" | head -n1)"
if [ -z "$version" ]; then echo "build.sh: cannot read the github.com/argoproj/argo-cd/v3 version from go.mod" >&2; exit 1; fi

stamp_want="$( { cat "$here/go.mod" "$here/go.sum" "$here/build.sh" "$here"/cmd/*/main.go; (cd "$here" && "$GO" version); } | sha256sum | cut -d' ' -f1)"
stamp_file="$bin/.stamp"
if [ "${1:-}" != "--force" ] && [ -x "$bin/argocd-lite" ] && [ -x "$bin/redis" ] && [ -x "$bin/git-verify-wrapper.sh" ] \
   && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp_want" ]; then
  echo "build.sh: binaries up to date in ${bin#$root/} (argo-cd $version)"
  exit 0
fi

mkdir -p "$bin"
rm -f "$stamp_file"
echo "build.sh: building argo-cd $version (controller, repo server, git ask-pass) and redis with $(cd "$here" && "$GO" version | cut -d' ' -f3) (first build takes long on 2 cores)"
start=$(date +%s)
v=github.com/argoproj/argo-cd/v3/common
ldflags="-s -w -X $v.version=${version#v} -X $v.buildDate=1970-01-01T00:00:00Z -X $v.gitTreeState=clean"
tmp="$(mktemp -d "$bin/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
(
  cd "$here"
  # The controller serves its metrics on 0.0.0.0 with no flag to change it (and go build -overlay refuses files
  # in the module cache), so validate-argocd.ts runs everything in a private network namespace instead.
  CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" "$GO" build -trimpath -ldflags "$ldflags" -o "$tmp/" ./cmd/argocd-lite ./cmd/redis
  # After the build: `go list -m` names a module's directory only once it is in the module cache.
  src="$(GOFLAGS="${GOFLAGS:-} -mod=readonly" "$GO" list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)"
  if [ -z "$src" ] || [ ! -d "$src/hack" ]; then echo "build.sh: github.com/argoproj/argo-cd/v3 $version is not in the module cache ($src)" >&2; exit 1; fi
  install -m 0755 "$src/hack/git-verify-wrapper.sh" "$tmp/git-verify-wrapper.sh"
  mkdir -p "$tmp/crds"
  cp "$src/manifests/crds/application-crd.yaml" "$src/manifests/crds/appproject-crd.yaml" "$tmp/crds/"
)
rm -rf "$bin/crds"
mv -f "$tmp/argocd-lite" "$tmp/redis" "$tmp/git-verify-wrapper.sh" "$tmp/crds" "$bin/"
for name in argocd-application-controller argocd-repo-server argocd-git-ask-pass; do ln -sf argocd-lite "$bin/$name"; done
echo "$stamp_want" > "$stamp_file"
echo "build.sh: built in $(( $(date +%s) - start ))s into ${bin#$root/}"
