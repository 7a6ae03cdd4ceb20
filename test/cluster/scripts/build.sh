#!/usr/bin/env bash
# Builds the local control plane from source through pinned Go module graphs: kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl and etcd from test/cluster/tools/go.mod; kwok and
# kwokctl from test/cluster/kwok/go.mod; into .tools/k8s/bin. Skips the work when the binaries
# already match the pinned go.mod/go.sum files, and prints how long it took.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=scripts/lib/no-arguments.sh
source "${REPO_ROOT}/scripts/lib/no-arguments.sh"
no_arguments "npm run cluster:build" "builds the local control plane from the pinned Go modules into .tools/k8s/bin" "$@"

start=$(date +%s)
self="$(realpath "${BASH_SOURCE[0]}")"
kwok_module="${REPO_ROOT}/test/cluster/kwok"
cd "${CLUSTER_TOOLS_MODULE}"

binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl)
# The stamp ties the binaries to the exact module graph and this script; any change rebuilds.
stamp_now="$(cat go.mod go.sum "${kwok_module}/go.mod" "${kwok_module}/go.sum" "${self}" | sha256sum | cut -d' ' -f1)"
stamp_file="${K8S_BIN_DIR}/.build-stamp"

all_present=true
for b in "${binaries[@]}"; do
  [[ -x "${K8S_BIN_DIR}/${b}" ]] || all_present=false
done
if [[ "${all_present}" == true && -f "${stamp_file}" && "$(cat "${stamp_file}")" == "${stamp_now}" ]]; then
  echo "cluster:build: binaries in ${K8S_BIN_DIR} match go.mod/go.sum; nothing to do ($(($(date +%s) - start))s)"
  exit 0
fi

command -v go >/dev/null || { echo "cluster:build: Go is not installed (need the version in ${CLUSTER_TOOLS_MODULE}/go.mod)" >&2; exit 1; }

module_version() { go list -m -f '{{.Version}}' "$1"; }
kube_version="$(module_version k8s.io/kubernetes)"
kwok_version="$(cd "${kwok_module}" && module_version sigs.k8s.io/kwok)"
etcd_version="$(module_version go.etcd.io/etcd/server/v3)"
if [[ ! "${kube_version}" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]]; then
  echo "cluster:build: unexpected k8s.io/kubernetes version '${kube_version}'" >&2
  exit 1
fi
kube_major="${BASH_REMATCH[1]}"
kube_minor="${BASH_REMATCH[2]}"
echo "cluster:build: Kubernetes ${kube_version}, etcd ${etcd_version}, kwok ${kwok_version} -> ${K8S_BIN_DIR}"
echo "cluster:build: Go caches in ${BANK_PLATFORM_CACHE}"

# Build into a staging folder and move each binary into place: a rename is safe while a cluster
# still runs the old binary, writing over it is not ("text file busy").
staging="${K8S_BIN_DIR}.new"
rm -rf "${staging}"
mkdir -p "${K8S_BIN_DIR}" "${staging}"
rm -f "${stamp_file}"

# Release builds stamp the version into both packages; without it `--version` says v0.0.0 and
# the apiserver's discovery reports a version kubectl and kwok would reject.
version_flags=()
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  version_flags+=(
    "-X ${pkg}.gitVersion=${kube_version}"
    "-X ${pkg}.gitMajor=${kube_major}"
    "-X ${pkg}.gitMinor=${kube_minor}"
    "-X ${pkg}.gitTreeState=clean"
  )
done

build() {
  local label="$1"
  shift
  local t0
  t0=$(date +%s)
  nice -n 19 go build -trimpath "$@"
  echo "cluster:build: ${label} built in $(($(date +%s) - t0))s"
}

build "kube-apiserver, kube-controller-manager, kube-scheduler, kubectl" \
  -ldflags "-s -w ${version_flags[*]}" -o "${staging}/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl

# The etcd main package is the module root, so go would name the binary "v3".
build "etcd" -ldflags "-s -w" -o "${staging}/etcd" go.etcd.io/etcd/server/v3

# kwok's release build stamps its own version and the Kubernetes version it drives by default;
# ours drives the control plane built above.
cd "${kwok_module}"
build "kwok, kwokctl" \
  -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${kube_version#v}" \
  -o "${staging}/" sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl

for b in "${binaries[@]}"; do
  mv -f "${staging}/${b}" "${K8S_BIN_DIR}/${b}"
done
rmdir "${staging}"
echo "${stamp_now}" >"${stamp_file}"
"${K8S_BIN_DIR}/kube-apiserver" --version
"${K8S_BIN_DIR}/kubectl" version --client
# sed reads to the end: `head -1` would close the pipe early and, under pipefail, etcd's SIGPIPE
# (exit 141) would fail the build. The same holds for every `| grep -q` in these scripts.
"${K8S_BIN_DIR}/etcd" --version | sed -n 1p
"${K8S_BIN_DIR}/kwokctl" --version
echo "cluster:build: done in $(($(date +%s) - start))s"
