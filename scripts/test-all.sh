#!/usr/bin/env bash
# npm test: every gate in order, each reported; the last line sums the test runners.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
status=0
# step [--quiet] NAME COMMAND...: runs one gate and says what runs, how long it took, and whether it
# passed. --quiet marks a gate that prints nothing while it works (lint takes a minute): a line every
# 15 s says it is still going.
step() {
  local quiet=0 ticker=''
  if [[ $1 == --quiet ]]; then quiet=1; shift; fi
  local name=$1 t0=$SECONDS
  shift
  echo "::: $name: $*"
  if ((quiet)); then
    (while sleep 15; do echo "::: $name still running ($((SECONDS - t0))s)"; done) &
    ticker=$!
  fi
  if "$@"; then echo "::: $name ok ($((SECONDS - t0))s)"; else echo "::: $name FAILED ($((SECONDS - t0))s)"; status=1; fi
  if [[ -n $ticker ]]; then kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null; fi
}
rm -rf reports
step --quiet typecheck tsc -b
step --quiet lint eslint . --max-warnings=0
step --quiet unused-code knip --no-progress
step --quiet format prettier --check .
step unit env NO_COLOR=1 vitest run
step build vite build
step bundle node scripts/check-bundle.mjs
step e2e playwright test
node scripts/test-summary.mjs || status=1
exit $status
