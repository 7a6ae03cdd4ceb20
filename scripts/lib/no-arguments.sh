# shellcheck shell=bash
# Sourced by the npm scripts written in bash that take no arguments. An argument is a mistake
# (usually a flag someone expected to exist): print the usage and exit 2, the exit code of every
# usage error in this repository, instead of ignoring it.
#   no_arguments "npm run cluster:up" "starts the local control plane" "$@"
no_arguments() {
  local command=$1 summary=$2
  shift 2
  if (($# == 0)); then return 0; fi
  if (($# == 1)) && [[ $1 == "--help" || $1 == "-h" ]]; then
    printf 'usage: %s\n  %s; takes no arguments\n' "${command}" "${summary}"
    exit 0
  fi
  printf '%s: unexpected argument %s\nusage: %s\n  %s; takes no arguments\n' \
    "${command#npm run }" "'$1'" "${command}" "${summary}" >&2
  exit 2
}
