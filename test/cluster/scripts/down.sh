#!/usr/bin/env bash
# Stops the local control plane started by cluster:up and removes its state. Safe to run twice.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if [[ ! -x "${K8S_BIN_DIR}/kwokctl" ]]; then
  echo "cluster:down: no kwokctl in ${K8S_BIN_DIR}; nothing was started"
  exit 0
fi
if kwokctl get clusters 2>/dev/null | grep -x "${CLUSTER_NAME}" >/dev/null; then
  kwokctl delete cluster --name "${CLUSTER_NAME}" --kubeconfig "${KUBECONFIG_PATH}"
else
  echo "cluster:down: no cluster named '${CLUSTER_NAME}'"
fi
rm -f "${KUBECONFIG_PATH}"
