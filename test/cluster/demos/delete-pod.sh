#!/usr/bin/env bash
# Demo: a pod dies. Deletes one ready pod of a Deployment and waits until the ReplicaSet's replacement
# is Ready, so the Deployment is back to its desired ready count.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
USAGE="delete-pod.sh <namespace> <deployment> [timeout-seconds]"
require_arg namespace "${1:-}"
require_arg deployment "${2:-}"
namespace="$1" deployment="$2" timeout="${3:-120}"

selector="$(deployment_selector "${namespace}" "${deployment}")"
desired="$(kubectl get "$(workload_resource "${namespace}" "${deployment}")" "${deployment}" -n "${namespace}" -o jsonpath='{.spec.replicas}')"
before="$(ready_pods "${namespace}" "${selector}" | sort)"
victim="$(head -n1 <<<"${before}")"
[[ -n "${victim}" ]] || die "deployment ${namespace}/${deployment} has no ready pod to delete"

start=${SECONDS}
echo "deleting pod ${namespace}/${victim} (deployment ${deployment}, ${desired} desired)"
kubectl delete pod "${victim}" -n "${namespace}" --wait=true --timeout="${timeout}s"

while :; do
  mapfile -t ready < <(ready_pods "${namespace}" "${selector}")
  if [[ ${#ready[@]} -ge ${desired} ]] && ! printf '%s\n' "${ready[@]}" | grep -x "${victim}" >/dev/null; then
    break
  fi
  ((SECONDS - start < timeout)) || die "only ${#ready[@]}/${desired} pods ready after ${timeout}s"
  sleep 0.5
done
replacements="$(printf '%s\n' "${ready[@]}" | sort | comm -13 <(echo "${before}") - | paste -sd' ')"
echo "ready again: ${#ready[@]}/${desired} pods ready $((SECONDS - start))s after the deletion; new: ${replacements}"
