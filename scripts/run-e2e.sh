#!/usr/bin/env bash
# The end-to-end suites (the e2e project's `e2e` target). Each starts its own five services on
# the shared broker and PostgreSQL (own topics, own database, free ports), and most of their time
# is spent waiting, so they run two at a time. Then, one at a time, the two that must be alone:
# the chaos soak stops the broker and restarts PostgreSQL, and the production-build suite's
# installs would crowd its neighbours past their timeouts. Both runs always run; either failing
# fails the target.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ALONE='chaos-soak|production-build'
RESULTS=.gatehouse/test-results
status=0
npx jest -c e2e/jest.config.cjs --maxWorkers=2 --testPathIgnorePatterns "$ALONE" --json --outputFile="$RESULTS/e2e-e2e.json" || status=1
npx jest -c e2e/jest.config.cjs --runInBand --testPathPattern "$ALONE" --json --outputFile="$RESULTS/e2e-alone.json" || status=1
exit "$status"
