#!/usr/bin/env bash
# Builds the OpenTelemetry collector of the otel-collector Application (main.go: the components our
# config uses, at the release pinned in go.mod) into .tools/otelcol/bin/otelcol-bank. The Go caches
# live outside the clone (BANK_PLATFORM_CACHE, shared with the cluster builds); the work is skipped
# when the binary matches the pinned go.mod/go.sum, the sources and this script.
set -euo pipefail
MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${MODULE_DIR}/../../.." && pwd)"
# shellcheck source=scripts/lib/no-arguments.sh
source "${REPO_ROOT}/scripts/lib/no-arguments.sh"
no_arguments "npm run otelcol:build" "builds the OpenTelemetry collector from the pinned Go modules into .tools/otelcol/bin" "$@"

start=$(date +%s)
TOOLS_DIR="${BANK_TOOLS_DIR:-${REPO_ROOT}/.tools}"
BIN_DIR="${TOOLS_DIR}/otelcol/bin"
BANK_PLATFORM_CACHE="${BANK_PLATFORM_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/bank-platform}"
export GOMODCACHE="${BANK_PLATFORM_CACHE}/go/mod"
export GOCACHE="${BANK_PLATFORM_CACHE}/go/build"
# The installed Go only, the module graph as pinned, a static binary.
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"

cd "${MODULE_DIR}"
self="${MODULE_DIR}/build.sh"
stamp_now="$(cat go.mod go.sum main.go standin/*.go "${self}" | sha256sum | cut -d' ' -f1)"
stamp_file="${BIN_DIR}/.build-stamp"
binary="${BIN_DIR}/otelcol-bank"
if [[ -x "${binary}" && -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp_now}" ]]; then
  echo "otelcol:build: ${binary} matches go.mod/go.sum; nothing to do ($(($(date +%s) - start))s)"
  exit 0
fi

command -v go >/dev/null || { echo "otelcol:build: Go is not installed (need the version in ${MODULE_DIR}/go.mod)" >&2; exit 1; }
version="$(go list -m -f '{{.Version}}' go.opentelemetry.io/collector/otelcol)"
echo "otelcol:build: collector ${version} -> ${BIN_DIR} (Go caches in ${BANK_PLATFORM_CACHE})"
mkdir -p "${BIN_DIR}"
rm -f "${stamp_file}"
# Build beside the binary and rename it into place: a running collector keeps the old file.
nice -n 19 go build -trimpath -ldflags "-s -w -X main.version=${version#v}" -o "${binary}.new" .
mv -f "${binary}.new" "${binary}"
echo "${stamp_now}" >"${stamp_file}"
"${binary}" --version
echo "otelcol:build: done in $(($(date +%s) - start))s"
