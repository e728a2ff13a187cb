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
# A benchmark measures a steady state after its warm-up, as a deployed broker runs it: with the
# JVM's full compiler (C2). Tests and `npm start` stop at C1 (scripts/kafka.sh's default), their
# broker living for minutes; so does the soak, which stops and restarts its broker again and again.
# After a 60 s warm-up at 50 requests/s, C2 cost the broker 4.0–5.1 ms of CPU a request
# against C1's 5.5–6.7 (docs/architecture.md, session 22). A KAFKA_JIT_OPTS given still wins.
if [[ "$name" != soak ]]; then export KAFKA_JIT_OPTS="${KAFKA_JIT_OPTS-}"; fi
KAFKA_FRESH=1 bash scripts/kafka.sh start
bash scripts/postgres.sh ensure
node scripts/run-ts.cjs "bench/$name/bench-$name.ts" "$@"
