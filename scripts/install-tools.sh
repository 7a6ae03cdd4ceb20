#!/usr/bin/env bash
# Installs the pinned command-line tools the tests and checks use into .tools/ (git-ignored).
# Idempotent and fast when everything is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
venv="$tools/venv"
requirements="$root/scripts/tools-requirements.txt"
stamp="$venv/.requirements.sha256"

mkdir -p "$tools/bin"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "install-tools: installing Python tools from $(basename "$requirements")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --requirement "$requirements"
  echo "$want" > "$stamp"
else
  echo "install-tools: Python tools up to date"
fi
ln -sf "$venv/bin/hadolint" "$tools/bin/hadolint"
"$tools/bin/hadolint" --version
