#!/usr/bin/env bash
# Downloads the upstream Go modules pinned in test/cluster/crds/go.mod (checked against its go.sum)
# and copies the CRD files listed in test/cluster/crds/sources.txt into .tools/crds/<module>@<version>/.
# Nothing third-party is committed; a second run reuses the copies and the Go module cache.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

crd_module="${REPO_ROOT}/test/cluster/crds"
mkdir -p "${CRDS_DIR}"
cd "${crd_module}"

fetched=0
reused=0
while read -r module pattern; do
  [[ -z "${module}" || "${module}" == \#* ]] && continue
  version="$(go list -m -f '{{.Version}}' "${module}")"
  target="${CRDS_DIR}/${module//\//_}@${version}"
  # One marker per source line, so a partly copied folder is completed rather than trusted.
  marker="${target}/.done-$(printf '%s' "${pattern}" | sha256sum | cut -c1-16)"
  if [[ -f "${marker}" ]]; then
    reused=$((reused + 1))
    continue
  fi
  dir="$(go mod download -json "${module}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "${dir}" || ! -d "${dir}" ]]; then
    echo "fetch-crds: could not download ${module}@${version} (see the go error above)" >&2
    exit 1
  fi
  mkdir -p "${target}"
  shopt -s nullglob
  # shellcheck disable=SC2206 # the pattern is a glob on purpose
  files=("${dir}"/${pattern})
  shopt -u nullglob
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "fetch-crds: ${module}@${version} has no file matching '${pattern}'" >&2
    exit 1
  fi
  for f in "${files[@]}"; do
    install -m 0644 "${f}" "${target}/$(basename "${f}")"
  done
  touch "${marker}"
  fetched=$((fetched + 1))
done <sources.txt

echo "fetch-crds: ${fetched} source(s) fetched, ${reused} reused, in ${CRDS_DIR}"
