#!/usr/bin/env bash
# Demo: node maintenance. Cordons and drains one node through the eviction API, so every
# PodDisruptionBudget is honoured (kubectl retries an eviction the budget refuses). The node stays
# cordoned; bring it back with `kubectl uncordon <node>`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
USAGE="drain-node.sh <node> [timeout-seconds]"
require_arg node "${1:-}"
node="$1" timeout="${2:-180}"

kubectl drain "${node}" --ignore-daemonsets --delete-emptydir-data --timeout="${timeout}s"
