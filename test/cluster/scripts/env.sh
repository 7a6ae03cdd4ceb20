# shellcheck shell=bash disable=SC2034 # the variables are read by the scripts that source this file
# Shared settings for the local control plane scripts. Sourced, never executed.
# Everything a run produces lives in the git-ignored .tools/ folder of the clone; the Go caches live
# outside it so a fresh clone on the same machine reuses the modules and compiled packages.

CLUSTER_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${CLUSTER_SCRIPTS_DIR}/../../.." && pwd)"
CLUSTER_TOOLS_MODULE="${REPO_ROOT}/test/cluster/tools"

TOOLS_DIR="${BANK_TOOLS_DIR:-${REPO_ROOT}/.tools}"
K8S_BIN_DIR="${TOOLS_DIR}/k8s/bin"
KWOK_HOME="${TOOLS_DIR}/kwok"
CRDS_DIR="${TOOLS_DIR}/crds"

CLUSTER_NAME="${BANK_CLUSTER_NAME:-bank-local}"
KUBECONFIG_PATH="${TOOLS_DIR}/kubeconfig-${CLUSTER_NAME}.yaml"

BANK_PLATFORM_CACHE="${BANK_PLATFORM_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/bank-platform}"
export GOMODCACHE="${BANK_PLATFORM_CACHE}/go/mod"
export GOCACHE="${BANK_PLATFORM_CACHE}/go/build"
# Use the installed Go only; never fetch another toolchain.
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"

# kwokctl keeps its clusters under $KWOK_WORKDIR; pointing it into .tools keeps runs out of $HOME.
export KWOK_WORKDIR="${KWOK_HOME}"
export PATH="${K8S_BIN_DIR}:${PATH}"

# Argo CD, built from test/cluster/argocd (a wrapper module carrying Argo CD's replaces).
ARGOCD_MODULE="${REPO_ROOT}/test/cluster/argocd"
ARGOCD_BIN_DIR="${TOOLS_DIR}/argocd/bin"

# Argo Rollouts controller and kubectl plugin, built from test/cluster/rollouts (a wrapper module
# carrying Argo Rollouts' replaces).
ROLLOUTS_MODULE="${REPO_ROOT}/test/cluster/rollouts"
ROLLOUTS_BIN_DIR="${TOOLS_DIR}/rollouts/bin"
