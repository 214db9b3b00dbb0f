#!/usr/bin/env bash
# npm test: every gate in order, each reported; the last line sums the test runners.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
status=0
step() {
  local t0=$SECONDS
  echo "::: $1"
  if "${@:2}"; then echo "::: $1 ok ($((SECONDS - t0))s)"; else echo "::: $1 FAILED ($((SECONDS - t0))s)"; status=1; fi
}
rm -rf reports
step typecheck tsc -b
step lint eslint . --max-warnings=0
step unused-code knip --no-progress
step format prettier --check .
step unit env NO_COLOR=1 vitest run
step build vite build
step bundle node scripts/check-bundle.mjs
step e2e playwright test
node scripts/test-summary.mjs || status=1
exit $status
