#!/usr/bin/env bash
# Prints the path of the pinned kubeconform, installing it into .tools/bin when it is missing.
set -euo pipefail
exec "$(dirname "$0")/go-install.sh" kubeconform github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0
