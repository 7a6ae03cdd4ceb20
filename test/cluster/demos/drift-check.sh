#!/usr/bin/env bash
# Demo: GitOps drift. Compares the live objects with the rendered manifests through a server-side
# dry-run apply (what a sync would change). Exit 0: in sync; exit 1: drift (the diff is printed);
# any other exit: the check itself failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
USAGE="drift-check.sh <manifest-dir>...  (e.g. manifests/prod manifests/argocd/prod)"
require_arg manifest-dir "${1:-}"
files=()
for dir in "$@"; do
  [[ -d "${dir}" ]] || die "${dir} is not a directory"
  files+=(-f "${dir}")
done

set +e
# The Argo Rollouts controller pins the stable and canary Services to a ReplicaSet by adding
# rollouts-pod-template-hash to their selectors. A Service selector is one atomic field to a server-side
# apply, so the diff would report that key as drift on every canary Service; Argo CD does not (the key
# is not in Git and its diff leaves fields Git never set), and neither does this check.
KUBECTL_EXTERNAL_DIFF="diff -u -N --ignore-matching-lines=rollouts-pod-template-hash" \
  kubectl diff --server-side --force-conflicts --field-manager=bank-platform-gitops "${files[@]}"
code=$?
set -e
case "${code}" in
  0) echo "in sync: the live objects match $*" ;;
  1) echo "DRIFT: the live objects differ from $*; a sync would revert the lines above" ;;
  *) echo "drift-check: kubectl diff failed (exit ${code})" >&2 ;;
esac
exit "${code}"
