#!/usr/bin/env bash
# `npm test`: installs what is missing, starts a real Kafka broker (fresh, on its own port)
# and checks PostgreSQL, then runs lint, type checks, unit, integration and end-to-end tests.
# Everything it started is stopped, and every database it made is dropped, however it ends.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/ensure-deps.sh
bash scripts/ensure-chromium.sh

export GATEHOUSE_TEST_RUN_ID="r$(date +%s)$$"
export KAFKA_PORT="${TEST_KAFKA_PORT:-19092}"
export KAFKA_STATE_DIR="$ROOT/.gatehouse/kafka-test"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
# A SASL listener beside the plain one, for the tests of secured clusters (one user, a fresh password each run).
export KAFKA_SASL_LISTENER_PORT="$((KAFKA_PORT + 2))"
export KAFKA_SASL_LISTENER_USER="gatehouse:$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export KAFKAJS_NO_PARTITIONER_WARNING=1
RESULTS="$ROOT/.gatehouse/test-results"

cleanup() {
  local code=$?
  bash scripts/kafka.sh stop || true
  bash scripts/kill-run-processes.sh "$GATEHOUSE_TEST_RUN_ID" || true
  bash scripts/postgres.sh drop-prefix "gh_${GATEHOUSE_TEST_RUN_ID}" || true
  exit "$code"
}
trap cleanup EXIT INT TERM

started=$SECONDS
bash scripts/kafka.sh stop >/dev/null 2>&1 || true   # a broker left by an interrupted run
KAFKA_FRESH=1 bash scripts/kafka.sh start
bash scripts/postgres.sh ensure
bash scripts/helm.sh schemas >/dev/null   # Helm's library and Kubernetes schemas for the chart tests (fetched once)
rm -rf "$RESULTS"; mkdir -p "$RESULTS"

status=0
echo "== lint, type checks, unit tests and production builds" >&2
npx nx run-many -t lint typecheck test build --parallel=2 || status=1
echo "== integration tests (real Kafka and PostgreSQL)" >&2
npx nx run-many -t integration --parallel=2 || status=1
echo "== end-to-end: five services as separate processes" >&2
npx nx run e2e:e2e || status=1

node scripts/summarize-tests.cjs "$RESULTS" || status=1
echo "[test] finished in $((SECONDS - started)) s" >&2
exit "$status"
