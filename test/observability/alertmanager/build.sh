#!/usr/bin/env bash
# Builds Alertmanager (the release pinned by the `tool` line and require of go.mod: the version
# kube-prometheus-stack, pinned in argocd/versions.ts, runs) into .tools/alertmanager/bin for the
# local platform (npm run local:up) and the live alert tests (test/observability/live). Its go.mod
# has no replace directives, so this module only pins it. The Go caches live outside the clone
# (BANK_PLATFORM_CACHE, shared with the other Go builds); nothing is built when the binary matches
# go.mod/go.sum and this script.
set -euo pipefail
MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${MODULE_DIR}/../../.." && pwd)"
# shellcheck source=scripts/lib/no-arguments.sh
source "${REPO_ROOT}/scripts/lib/no-arguments.sh"
no_arguments "npm run alertmanager:build" "builds Alertmanager from the pinned Go module into .tools/alertmanager/bin" "$@"

start=$(date +%s)
TOOLS_DIR="${BANK_TOOLS_DIR:-${REPO_ROOT}/.tools}"
BIN_DIR="${TOOLS_DIR}/alertmanager/bin"
BANK_PLATFORM_CACHE="${BANK_PLATFORM_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/bank-platform}"
export GOMODCACHE="${BANK_PLATFORM_CACHE}/go/mod"
export GOCACHE="${BANK_PLATFORM_CACHE}/go/build"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"

cd "${MODULE_DIR}"
stamp_now="$(cat go.mod go.sum "${MODULE_DIR}/build.sh" | sha256sum | cut -d' ' -f1)"
stamp_file="${BIN_DIR}/.build-stamp"
binary="${BIN_DIR}/alertmanager"
if [[ -x "${binary}" && -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp_now}" ]]; then
  echo "alertmanager:build: ${binary} matches go.mod/go.sum; nothing to do ($(($(date +%s) - start))s)"
  exit 0
fi

command -v go >/dev/null || { echo "alertmanager:build: Go is not installed (need the version in ${MODULE_DIR}/go.mod)" >&2; exit 1; }
package=github.com/prometheus/alertmanager
version="$(go list -m -f '{{.Version}}' "${package}")"
echo "alertmanager:build: Alertmanager ${version} -> ${BIN_DIR} (Go caches in ${BANK_PLATFORM_CACHE})"
mkdir -p "${BIN_DIR}"
rm -f "${stamp_file}"
# Build beside the binary and rename it into place: a running Alertmanager keeps the old file.
nice -n 19 go build -trimpath \
  -ldflags "-s -w -X github.com/prometheus/common/version.Version=${version#v}" \
  -o "${binary}.new" "${package}/cmd/alertmanager"
mv -f "${binary}.new" "${binary}"
echo "${stamp_now}" >"${stamp_file}"
"${binary}" --version 2>&1 | head -1
echo "alertmanager:build: done in $(($(date +%s) - start))s"
