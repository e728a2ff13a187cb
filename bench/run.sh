#!/usr/bin/env bash
# Runs a benchmark against the real system: a fresh broker on its own port, PostgreSQL,
# and the five services as processes.  Usage: bash bench/run.sh requests [--rate 50 --seconds 20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
name="${1:?usage: bench/run.sh <name> [options]}"; shift
bash scripts/ensure-deps.sh
export GATEHOUSE_TEST_RUN_ID="b$(date +%s)$$"
export KAFKA_PORT="${BENCH_KAFKA_PORT:-19192}"
export KAFKA_STATE_DIR="$ROOT/.gatehouse/kafka-bench"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
export KAFKAJS_NO_PARTITIONER_WARNING=1
export GATEHOUSE_SERVICE_LOG_LEVEL="${GATEHOUSE_SERVICE_LOG_LEVEL:-warn}"
cleanup() { bash scripts/kafka.sh stop >/dev/null || true; bash scripts/kill-run-processes.sh "$GATEHOUSE_TEST_RUN_ID" || true; bash scripts/postgres.sh drop-prefix "gh_${GATEHOUSE_TEST_RUN_ID}" || true; }
trap cleanup EXIT INT TERM
KAFKA_FRESH=1 bash scripts/kafka.sh start
bash scripts/postgres.sh ensure
node scripts/run-ts.cjs "bench/$name/bench-$name.ts" "$@"
