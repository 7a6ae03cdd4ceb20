#!/usr/bin/env bash
# Stops the local control plane started by cluster:up and removes its state. Safe to run twice.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=scripts/lib/no-arguments.sh
source "${REPO_ROOT}/scripts/lib/no-arguments.sh"
no_arguments "npm run cluster:down" "stops the local control plane and removes its state" "$@"

if [[ ! -x "${K8S_BIN_DIR}/kwokctl" ]]; then
  echo "cluster:down: no kwokctl in ${K8S_BIN_DIR}; nothing was started"
  exit 0
fi
"${CLUSTER_SCRIPTS_DIR}/rollouts-controller.sh" stop
if kwokctl get clusters 2>/dev/null | grep -x "${CLUSTER_NAME}" >/dev/null; then
  kwokctl delete cluster --name "${CLUSTER_NAME}" --kubeconfig "${KUBECONFIG_PATH}"
else
  echo "cluster:down: no cluster named '${CLUSTER_NAME}'"
fi
rm -f "${KUBECONFIG_PATH}"
