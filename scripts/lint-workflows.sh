#!/usr/bin/env bash
# `npm run lint:workflows`: actionlint (with shellcheck) over .github/workflows. actionlint is one of
# the pinned tools `npm run tools:install` builds into .tools/bin; say so instead of "not found".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/no-arguments.sh
source "$root/scripts/lib/no-arguments.sh"
no_arguments "npm run lint:workflows" "checks .github/workflows with actionlint" "$@"
actionlint="${BANK_TOOLS_DIR:-$root/.tools}/bin/actionlint"
if [[ ! -x "$actionlint" ]]; then
  echo "lint:workflows: actionlint is not installed in ${actionlint%/actionlint}: run npm run tools:install first" >&2
  exit 1
fi
cd "$root"
exec "$actionlint"
