#!/usr/bin/env bash
# Starts the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
# the kwok controller as plain processes, kwokctl's binary runtime), all bound to 127.0.0.1, from the
# binaries cluster:build made; registers simulated nodes in three zones and installs the CRDs our
# manifests use. Prints `export KUBECONFIG=...` at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=scripts/lib/no-arguments.sh
source "${REPO_ROOT}/scripts/lib/no-arguments.sh"
no_arguments "npm run cluster:up" "starts the local control plane and prints the KUBECONFIG to export" "$@"
start=$(date +%s)

for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl; do
  if [[ ! -x "${K8S_BIN_DIR}/${b}" ]]; then
    echo "cluster:up: ${K8S_BIN_DIR}/${b} is missing; run 'npm run cluster:build' first" >&2
    exit 1
  fi
done

"${CLUSTER_SCRIPTS_DIR}/fetch-crds.sh"

kube_version="$("${K8S_BIN_DIR}/kube-apiserver" --version | awk '{print $2}')"
etcd_version="$("${K8S_BIN_DIR}/etcd" --version | awk '/etcd Version/ {print $3}')"
mkdir -p "${KWOK_HOME}"

# A cluster left behind by an interrupted run would hold the ports and stale state: start clean.
if kwokctl get clusters 2>/dev/null | grep -x "${CLUSTER_NAME}" >/dev/null; then
  echo "cluster:up: removing the previous '${CLUSTER_NAME}' cluster"
  kwokctl delete cluster --name "${CLUSTER_NAME}" --kubeconfig "${KUBECONFIG_PATH}" >/dev/null
fi

# Every binary is a local path, so kwokctl never downloads anything; bindAddress keeps every
# component (etcd included) on loopback instead of kwokctl's default 0.0.0.0.
config="${KWOK_HOME}/kwokctl-${CLUSTER_NAME}.yaml"
cat >"${config}" <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeVersion: ${kube_version}
  etcdVersion: ${etcd_version}
  securePort: true
  kubeAuthorization: true
  kubeAdmission: true
  cacheDir: ${KWOK_HOME}/cache
  kubeApiserverBinary: ${K8S_BIN_DIR}/kube-apiserver
  kubeControllerManagerBinary: ${K8S_BIN_DIR}/kube-controller-manager
  kubeSchedulerBinary: ${K8S_BIN_DIR}/kube-scheduler
  kubectlBinary: ${K8S_BIN_DIR}/kubectl
  etcdBinary: ${K8S_BIN_DIR}/etcd
  kwokControllerBinary: ${K8S_BIN_DIR}/kwok
YAML

# When start-up fails, the reason is in the component logs; show their ends instead of a bare exit.
show_logs() {
  local log
  for log in "${KWOK_HOME}/clusters/${CLUSTER_NAME}/logs/"*.log; do
    [[ -f "${log}" ]] || continue
    echo "----- ${log}" >&2
    tail -n 20 "${log}" >&2
  done
}
trap 'show_logs' ERR

rm -f "${KUBECONFIG_PATH}"
kwokctl create cluster \
  --name "${CLUSTER_NAME}" \
  --config "${config}" \
  --kubeconfig "${KUBECONFIG_PATH}" \
  --timeout 5m \
  --wait 3m
export KUBECONFIG="${KUBECONFIG_PATH}"

kubectl apply --server-side --field-manager=cluster-up \
  -f "${REPO_ROOT}/test/cluster/fixtures/nodes.yaml" \
  -f "${REPO_ROOT}/test/cluster/fixtures/platform-namespaces.yaml"
kubectl wait --for=condition=Ready node --all --timeout=120s

# Server-side apply: several upstream CRDs are larger than the annotation client-side apply writes.
crd_files=()
while IFS= read -r -d '' f; do crd_files+=(-f "${f}"); done < <(find "${CRDS_DIR}" -name '*.yaml' -print0 | sort -z)
kubectl apply --server-side --force-conflicts --field-manager=cluster-up "${crd_files[@]}" >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=120s >/dev/null
echo "cluster:up: $(kubectl get crd -o name | wc -l) CRDs established"

# The Argo Rollouts controller (npm run rollouts:build): without it a Rollout never gets a ReplicaSet,
# and the workload tests would have no pods. Extra environment (ROLLOUTS_CONTROLLER_ENV, e.g. the
# HTTP proxy local:up routes the analysis through) is passed on as is.
"${CLUSTER_SCRIPTS_DIR}/rollouts-controller.sh" start

kubectl version
echo "cluster:up: '${CLUSTER_NAME}' ready in $(($(date +%s) - start))s"
echo "export KUBECONFIG=${KUBECONFIG_PATH}"
