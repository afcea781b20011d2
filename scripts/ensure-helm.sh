#!/usr/bin/env bash
# Prints the path of the pinned helm, installing it into .tools/bin when it is missing. Only the add-on render
# needs it, and only when a chart or its values changed (lib/addons/render-cache.ts); a checkout whose
# committed render is current never calls this. helm.sh/helm/v3's go.mod has no replace lines, so plain
# `go install` builds it; the ldflags give `helm version` the real version (a plain build reports v3.19).
set -euo pipefail
VERSION=v3.19.5
exec "$(dirname "$0")/go-install.sh" helm "helm.sh/helm/v3/cmd/helm@$VERSION" \
  "-s -w -X helm.sh/helm/v3/internal/version.version=$VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
