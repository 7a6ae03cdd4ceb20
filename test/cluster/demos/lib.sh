# shellcheck shell=bash disable=SC2016 # single-quoted go-templates are expanded by kubectl, not the shell
# Helpers shared by the failover demo scripts. Sourced, never executed. The scripts talk to whatever
# cluster the current KUBECONFIG/context points at: the local control plane or the real EKS cluster.

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

require_arg() {
  [[ -n "${2:-}" ]] || die "missing <$1>; usage: ${USAGE}"
}

# The label selector of a Deployment's pods, in kubectl -l form.
# The resource that runs a workload's pods: its Deployment, or the Argo Rollouts Rollout that replaces
# the Deployment where the environment releases by canary.
workload_resource() {
  local namespace="$1" name="$2"
  if kubectl get deployment "${name}" -n "${namespace}" >/dev/null 2>&1; then
    echo deployment
  else
    echo rollouts.argoproj.io
  fi
}

deployment_selector() {
  local namespace="$1" deployment="$2"
  kubectl get "$(workload_resource "${namespace}" "${deployment}")" "${deployment}" -n "${namespace}" \
    -o go-template='{{range $k, $v := .spec.selector.matchLabels}}{{$k}}={{$v}},{{end}}' | sed 's/,$//'
}

# Names of the pods that are Ready and not being deleted (what a Service routes to and a PDB counts).
ready_pods() {
  local namespace="$1" selector="$2"
  kubectl get pods -n "${namespace}" -l "${selector}" -o go-template='{{range .items}}{{if not .metadata.deletionTimestamp}}{{$name := .metadata.name}}{{range .status.conditions}}{{if and (eq .type "Ready") (eq .status "True")}}{{$name}}{{"\n"}}{{end}}{{end}}{{end}}{{end}}'
}
