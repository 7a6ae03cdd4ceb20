#!/usr/bin/env bash
# Builds the Argo Rollouts controller and its kubectl plugin from the pinned wrapper module
# test/cluster/rollouts (go.mod + go.sum) into .tools/rollouts/bin: `rollouts-controller` (run by
# `npm run local:up` next to Argo CD) and `kubectl-argo-rollouts` (`kubectl argo rollouts get rollout
# ...`, docs/gitops.md). Skips the work when the binaries match the module.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=scripts/lib/no-arguments.sh
source "${REPO_ROOT}/scripts/lib/no-arguments.sh"
no_arguments "npm run rollouts:build" "builds the Argo Rollouts controller and kubectl plugin from the pinned Go module into .tools/rollouts/bin" "$@"

start=$(date +%s)
self="$(realpath "${BASH_SOURCE[0]}")"
cd "${ROLLOUTS_MODULE}"

stamp_now="$(cat go.mod go.sum "${self}" | sha256sum | cut -d' ' -f1)"
stamp_file="${ROLLOUTS_BIN_DIR}/.build-stamp"
binaries=(rollouts-controller kubectl-argo-rollouts)

all_present=true
for b in "${binaries[@]}"; do
  [[ -x "${ROLLOUTS_BIN_DIR}/${b}" ]] || all_present=false
done
if [[ "${all_present}" == true && -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp_now}" ]]; then
  echo "rollouts:build: ${ROLLOUTS_BIN_DIR} matches go.mod/go.sum; nothing to do ($(($(date +%s) - start))s)"
  exit 0
fi
command -v go >/dev/null || { echo "rollouts:build: Go is not installed" >&2; exit 1; }

module=github.com/argoproj/argo-rollouts
version="$(go list -m -f '{{.Version}}' "${module}")"
# The CRDs cluster:up installs come from test/cluster/crds; the controller must be the same release.
crds_version="$(cd "${REPO_ROOT}/test/cluster/crds" && go list -m -f '{{.Version}}' "${module}")"
if [[ "${crds_version}" != "${version}" ]]; then
  echo "rollouts:build: test/cluster/crds pins Argo Rollouts ${crds_version} but test/cluster/rollouts builds ${version}; pin one version in both" >&2
  exit 1
fi
# The wrapper must carry exactly the replaces of the release it requires, or the build would resolve
# another dependency graph than upstream's.
upstream_gomod="$(go mod download -json "${module}@${version}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
replaces() { sed -n '/^replace (/,/^)/p' "$1" | grep -v '^[[:space:]]*//' | grep -v '^[[:space:]]*$' | sed 's/^[[:space:]]*//'; }
if ! diff <(replaces "${upstream_gomod}") <(replaces go.mod) >/dev/null; then
  echo "rollouts:build: the replace block of ${ROLLOUTS_MODULE}/go.mod differs from Argo Rollouts ${version}'s:" >&2
  diff <(replaces "${upstream_gomod}") <(replaces go.mod) >&2 || true
  exit 1
fi
# A release that asks for a newer Go than the installed one would make `go build` fail late.
wanted_go="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "${upstream_gomod}")"
have_go="$(go env GOVERSION)"
have_go="${have_go#go}"
if [[ "$(printf '%s\n%s\n' "${wanted_go}" "${have_go}" | sort -V | head -1)" != "${wanted_go}" ]]; then
  echo "rollouts:build: Argo Rollouts ${version} needs Go ${wanted_go}; this machine has ${have_go}" >&2
  exit 1
fi

echo "rollouts:build: Argo Rollouts ${version} (Go ${have_go}) -> ${ROLLOUTS_BIN_DIR}"
mkdir -p "${ROLLOUTS_BIN_DIR}"
rm -f "${stamp_file}"
pkg=github.com/argoproj/argo-rollouts/utils/version
ldflags="-s -w -X ${pkg}.version=${version#v} -X ${pkg}.gitTag=${version} -X ${pkg}.gitTreeState=clean"
for b in "${binaries[@]}"; do
  # Build beside the old binary and rename: a running controller keeps its file ("text file busy").
  nice -n 19 go build -trimpath -ldflags "${ldflags}" -o "${ROLLOUTS_BIN_DIR}/${b}.new" "${module}/cmd/${b}"
  mv -f "${ROLLOUTS_BIN_DIR}/${b}.new" "${ROLLOUTS_BIN_DIR}/${b}"
done
echo "${stamp_now}" >"${stamp_file}"
"${ROLLOUTS_BIN_DIR}/kubectl-argo-rollouts" version --short
echo "rollouts:build: done in $(($(date +%s) - start))s"
