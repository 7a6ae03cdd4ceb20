#!/usr/bin/env bash
# Demo: losing an availability zone. Cordons every node of the zone first (so nothing is rescheduled
# into it), then drains them one by one through the eviction API; the pods move to the other zones.
# Undo with zone-restore.sh <zone>.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
USAGE="zone-outage.sh <zone> [timeout-seconds]"
require_arg zone "${1:-}"
zone="$1" timeout="${2:-300}"
selector="topology.kubernetes.io/zone=${zone}"

nodes="$(kubectl get nodes -l "${selector}" -o name)"
[[ -n "${nodes}" ]] || die "no node is labelled ${selector}"
kubectl cordon -l "${selector}"
kubectl drain -l "${selector}" --ignore-daemonsets --delete-emptydir-data --timeout="${timeout}s"
echo "zone ${zone} drained: $(echo "${nodes}" | wc -l) node(s) cordoned"
