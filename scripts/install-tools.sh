#!/usr/bin/env bash
# Installs the pinned command-line tools the tests and `npm run verify` use into .tools/ (git-ignored).
# Idempotent and fast when everything is already there: each group records what it installed and
# is redone only when its pin changes.
#   PyPI (pins in scripts/tools-requirements.txt, their dependencies in tools-constraints.txt)
#                                                 -> .tools/venv, linked into .tools/bin
#   Go modules (pins below)                       -> built into .tools/bin
#   Debian packages (shellcheck, promtool, wrk)   -> apt-get, only when missing
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/no-arguments.sh
source "$root/scripts/lib/no-arguments.sh"
no_arguments "npm run tools:install" "installs the pinned tools the tests and npm run verify use into .tools/" "$@"
tools="$root/.tools"
bin="$tools/bin"
venv="$tools/venv"
requirements="$root/scripts/tools-requirements.txt"
# Transitive pins: what the tools above pull in, frozen from a verified install.
constraints="$root/scripts/tools-constraints.txt"
stamp="$venv/.requirements.sha256"

# Go tools as name=module/cmd/path@version. kube-score stands in for kube-linter, whose module the
# Go module proxy refuses to serve (403 "not available"); see docs/security.md.
go_tools=(
  "actionlint=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
  "kube-score=github.com/zegl/kube-score/cmd/kube-score@v1.20.0"
  # NetworkPolicy semantics, evaluated offline from the rendered policies (test/manifests/network-reachability.test.ts).
  "cyclonus=github.com/mattfenwick/cyclonus/cmd/cyclonus@v0.5.6"
)
# Debian packages as command=package.
debian_tools=(
  "shellcheck=shellcheck"
  "promtool=prometheus"
  "wrk=wrk"
)

log() { echo "install-tools: $*"; }
mkdir -p "$bin"

install_python_tools() {
  local want
  want=$(cat "$requirements" "$constraints" | sha256sum | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    log "Python tools up to date"
  else
    log "installing Python tools from $(basename "$requirements")"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      --requirement "$requirements" --constraint "$constraints"
    echo "$want" >"$stamp"
  fi
  local tool
  for tool in hadolint cfn-lint checkov; do ln -sf "$venv/bin/$tool" "$bin/$tool"; done
}

install_go_tools() {
  local entry name target stampfile
  for entry in "${go_tools[@]}"; do
    name=${entry%%=*}
    target=${entry#*=}
    stampfile="$bin/.$name.installed"
    if [ -x "$bin/$name" ] && [ "$(cat "$stampfile" 2>/dev/null)" = "$target" ]; then
      continue
    fi
    command -v go >/dev/null || { log "go is required to build $name"; exit 1; }
    log "building $target"
    GOBIN="$bin" GOFLAGS=-mod=mod go install "$target"
    echo "$target" >"$stampfile"
  done
}

install_debian_tools() {
  local entry missing=()
  for entry in "${debian_tools[@]}"; do
    command -v "${entry%%=*}" >/dev/null || missing+=("${entry#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]} (as root: apt-get install ${missing[*]})"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_python_tools
install_go_tools
install_debian_tools

for tool in hadolint cfn-lint checkov actionlint kube-score cyclonus; do
  [ -x "$bin/$tool" ] || { log "$tool is missing from $bin"; exit 1; }
done
# Pins as recorded rather than by starting each tool: a Python CLI takes seconds to print a version.
log "pinned: $(grep -E '^[a-z].*==' "$requirements" | tr '\n' ' ')$(printf '%s ' "${go_tools[@]#*=}")"
log "Debian: shellcheck $(shellcheck --version | sed -n 's/^version: //p'), $(promtool --version 2>&1 | sed -n 1p)"
