#!/usr/bin/env bash
# Builds Argo CD from the pinned wrapper module test/cluster/argocd (go.mod + go.sum) into
# .tools/argocd/bin: one `argocd` binary, which picks its component by the name it is started under,
# plus the component names as symlinks (argocd-server, argocd-repo-server,
# argocd-application-controller), and the Helm CLI the repo-server runs for Helm-chart Applications
# (test/cluster/helm, at the version Argo CD pins). Skips the work when the binaries match the modules.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=scripts/lib/no-arguments.sh
source "${REPO_ROOT}/scripts/lib/no-arguments.sh"
no_arguments "npm run argocd:build" "builds Argo CD and Helm from the pinned Go modules into .tools/argocd/bin" "$@"

start=$(date +%s)
self="$(realpath "${BASH_SOURCE[0]}")"
cd "${ARGOCD_MODULE}"

helm_module="${REPO_ROOT}/test/cluster/helm"
stamp_now="$(cat go.mod go.sum "${helm_module}/go.mod" "${helm_module}/go.sum" "${self}" | sha256sum | cut -d' ' -f1)"
stamp_file="${ARGOCD_BIN_DIR}/.build-stamp"
components=(argocd-server argocd-repo-server argocd-application-controller)

if [[ -x "${ARGOCD_BIN_DIR}/argocd" && -x "${ARGOCD_BIN_DIR}/helm" && -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp_now}" ]]; then
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

# Argo CD's image ships the Helm version its hack/tool-versions.sh names; ours must be that one.
upstream_dir="$(go mod download -json "github.com/argoproj/argo-cd/v3@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
helm_pinned="v$(sed -n 's/^helm3_version=//p' "${upstream_dir}/hack/tool-versions.sh")"
helm_version="$(cd "${helm_module}" && go list -m -f '{{.Version}}' helm.sh/helm/v3)"
if [[ "${helm_pinned}" != "${helm_version}" ]]; then
  echo "argocd:build: Argo CD ${version} ships Helm ${helm_pinned} but test/cluster/helm pins ${helm_version}" >&2
  exit 1
fi

echo "argocd:build: Argo CD ${version} (kubectl ${kubectl_version}), Helm ${helm_version} -> ${ARGOCD_BIN_DIR}"
mkdir -p "${ARGOCD_BIN_DIR}"
rm -f "${stamp_file}"
pkg=github.com/argoproj/argo-cd/v3/common
ldflags="-s -w -X ${pkg}.version=${version#v} -X ${pkg}.gitTag=${version} -X ${pkg}.gitTreeState=clean -X ${pkg}.kubectlVersion=${kubectl_version}"
# Build beside the old binary and rename: a running local Argo CD keeps its file ("text file busy").
nice -n 19 go build -trimpath -ldflags "${ldflags}" -o "${ARGOCD_BIN_DIR}/argocd.new" github.com/argoproj/argo-cd/v3/cmd
mv -f "${ARGOCD_BIN_DIR}/argocd.new" "${ARGOCD_BIN_DIR}/argocd"
for c in "${components[@]}"; do ln -sf argocd "${ARGOCD_BIN_DIR}/${c}"; done
(
  cd "${helm_module}"
  nice -n 19 go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${helm_version}" \
    -o "${ARGOCD_BIN_DIR}/helm.new" helm.sh/helm/v3/cmd/helm
)
mv -f "${ARGOCD_BIN_DIR}/helm.new" "${ARGOCD_BIN_DIR}/helm"
echo "${stamp_now}" >"${stamp_file}"
"${ARGOCD_BIN_DIR}/argocd" version --client --short
"${ARGOCD_BIN_DIR}/helm" version --short
echo "argocd:build: done in $(($(date +%s) - start))s"
