#!/usr/bin/env bash
# Demo: the 3 a.m. hand edit. Raises a HorizontalPodAutoscaler's minimum with kubectl, the change
# that actually sticks on an autoscaled Deployment (a `kubectl scale` is undone by the autoscaler
# within seconds). Git still says otherwise: drift-check.sh reports it, and a GitOps sync reverts it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
USAGE="scale-by-hand.sh <namespace> <horizontalpodautoscaler> <min-replicas>"
require_arg namespace "${1:-}"
require_arg horizontalpodautoscaler "${2:-}"
require_arg min-replicas "${3:-}"
[[ "$3" =~ ^[1-9][0-9]*$ ]] || die "<min-replicas> must be a positive integer, got '$3'"

kubectl patch horizontalpodautoscaler "$2" -n "$1" --type=merge -p "{\"spec\":{\"minReplicas\":$3}}"
