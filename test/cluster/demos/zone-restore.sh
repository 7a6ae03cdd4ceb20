#!/usr/bin/env bash
# Ends the zone-outage demo: makes the zone's nodes schedulable again. Running pods are not moved
# back; new pods (the next rollout or scale-up) spread into the zone again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
USAGE="zone-restore.sh <zone>"
require_arg zone "${1:-}"

kubectl uncordon -l "topology.kubernetes.io/zone=$1"
