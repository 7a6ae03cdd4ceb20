#!/usr/bin/env bash
# Builds Argo CD from the pinned wrapper module test/cluster/argocd (go.mod + go.sum) into
# .tools/argocd/bin: one `argocd` binary, which picks its component by the name it is started under,
# plus the component names as symlinks (argocd-server, argocd-repo-server,
# argocd-application-controller). Skips the work when the binary matches the module graph.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

start=$(date +%s)
self="$(realpath "${BASH_SOURCE[0]}")"
cd "${ARGOCD_MODULE}"

stamp_now="$(cat go.mod go.sum "${self}" | sha256sum | cut -d' ' -f1)"
stamp_file="${ARGOCD_BIN_DIR}/.build-stamp"
components=(argocd-server argocd-repo-server argocd-application-controller)

if [[ -x "${ARGOCD_BIN_DIR}/argocd" && -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp_now}" ]]; then
  echo "argocd:build: ${ARGOCD_BIN_DIR}/argocd matches go.mod/go.sum; nothing to do ($(($(date +%s) - start))s)"
  exit 0
fi
command -v go >/dev/null || { echo "argocd:build: Go is not installed" >&2; exit 1; }

version="$(go list -m -f '{{.Version}}' github.com/argoproj/argo-cd/v3)"
kubectl_version="$(go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' k8s.io/kubectl)"
# The CRDs installed by cluster:up come from test/cluster/crds; a controller at another version than
# its CRDs would be tested against a schema it never ships with.
crds_version="$(cd "${REPO_ROOT}/test/cluster/crds" && go list -m -f '{{.Version}}' github.com/argoproj/argo-cd/v3)"
if [[ "${crds_version}" != "${version}" ]]; then
  echo "argocd:build: test/cluster/crds pins Argo CD ${crds_version} but test/cluster/argocd builds ${version}; pin one version in both" >&2
  exit 1
fi
# The wrapper must carry exactly the replaces of the Argo CD version it requires, or the build would
# resolve another dependency graph than upstream's release.
upstream_gomod="$(go mod download -json "github.com/argoproj/argo-cd/v3@${version}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
replaces() { sed -n '/^replace (/,/^)/p' "$1" | grep -v '^[[:space:]]*//' | grep -v '^[[:space:]]*$' | sed 's/^[[:space:]]*//'; }
if ! diff <(replaces "${upstream_gomod}") <(replaces go.mod) >/dev/null; then
  echo "argocd:build: the replace block of ${ARGOCD_MODULE}/go.mod differs from Argo CD ${version}'s:" >&2
  diff <(replaces "${upstream_gomod}") <(replaces go.mod) >&2 || true
  exit 1
fi

echo "argocd:build: Argo CD ${version} (kubectl ${kubectl_version}) -> ${ARGOCD_BIN_DIR}"
mkdir -p "${ARGOCD_BIN_DIR}"
rm -f "${stamp_file}"
pkg=github.com/argoproj/argo-cd/v3/common
ldflags="-s -w -X ${pkg}.version=${version#v} -X ${pkg}.gitTag=${version} -X ${pkg}.gitTreeState=clean -X ${pkg}.kubectlVersion=${kubectl_version}"
# Build beside the old binary and rename: a running local Argo CD keeps its file ("text file busy").
nice -n 19 go build -trimpath -ldflags "${ldflags}" -o "${ARGOCD_BIN_DIR}/argocd.new" github.com/argoproj/argo-cd/v3/cmd
mv -f "${ARGOCD_BIN_DIR}/argocd.new" "${ARGOCD_BIN_DIR}/argocd"
for c in "${components[@]}"; do ln -sf argocd "${ARGOCD_BIN_DIR}/${c}"; done
echo "${stamp_now}" >"${stamp_file}"
"${ARGOCD_BIN_DIR}/argocd" version --client --short
echo "argocd:build: done in $(($(date +%s) - start))s"
