#!/usr/bin/env bash
# `npm start`: installs what is missing, starts Kafka (127.0.0.1:9092, data kept in
# .gatehouse/), makes sure PostgreSQL is up with a `gatehouse` database, and runs all five
# services in the foreground with their logs prefixed. Ctrl-C stops everything it started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/ensure-deps.sh

export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gatehouse}"
export KAFKAJS_NO_PARTITIONER_WARNING=1
# Readable lines for a person at a terminal; JSON for anything else (or LOG_FORMAT=json).
if [[ -z "${LOG_FORMAT:-}" && -t 1 ]]; then export LOG_FORMAT=pretty; fi

started_kafka=0
if ! bash scripts/kafka.sh status >/dev/null 2>&1; then
  bash scripts/kafka.sh start
  started_kafka=1
fi
bash scripts/postgres.sh ensure
db_name="${DATABASE_URL##*/}"; db_name="${db_name%%\?*}"
if [[ "$DATABASE_URL" == postgres://postgres@127.0.0.1:5432/* ]]; then bash scripts/postgres.sh create-db "$db_name"; fi

pids=()
stop_all() {
  trap - EXIT INT TERM
  echo "[start] stopping services…" >&2
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $started_kafka == 1 ]]; then bash scripts/kafka.sh stop; fi
}
trap stop_all EXIT INT TERM

# GATEHOUSE_PORT_BASE moves all five ports (the test of this script runs it beside others).
base="${GATEHOUSE_PORT_BASE:-3000}"
declare -A ports=([gateway]=$base [approval]=$((base + 1)) [audit-reporting]=$((base + 2)) [provisioning-okta]=$((base + 3)) [slack-bot]=$((base + 4)))
# The node flags every service runs with (the image's CMD has the same; see docs/architecture.md).
read -r -a service_flags < scripts/service-node-flags
for service in gateway approval audit-reporting provisioning-okta slack-bot; do
  PORT="${ports[$service]}" node "${service_flags[@]}" scripts/run-ts.cjs "apps/$service/src/main.ts" \
    > >(sed -u "s/^/[$service] /") 2> >(sed -u "s/^/[$service] /" >&2) &
  pids+=($!)
done

# Report once every service says it is ready.
for service in gateway approval audit-reporting provisioning-okta slack-bot; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:${ports[$service]}/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
done
ready=1
for service in gateway approval audit-reporting provisioning-okta slack-bot; do
  curl -fsS "http://127.0.0.1:${ports[$service]}/readyz" >/dev/null 2>&1 || { ready=0; echo "[start] $service is not ready: see its log lines above" >&2; }
done
slack="set up"; [[ -n "${SLACK_SIGNING_SECRET:-}" && -n "${SLACK_BOT_TOKEN:-}" ]] || slack="not set up: set SLACK_SIGNING_SECRET (gateway) and SLACK_BOT_TOKEN (slack-bot); until then Slack deliveries are answered with that note"
okta="set up"; [[ -n "${OKTA_ORG_URL:-}" && ( -n "${OKTA_API_TOKEN:-}" || -n "${OKTA_CLIENT_ID:-}" ) ]] || okta="not set up: set OKTA_ORG_URL and OKTA_API_TOKEN (or OKTA_CLIENT_ID + OKTA_PRIVATE_KEY); until then grants fail saying so"
# The example asks for the first target of the first flow of the flows file in use, so it works when pasted.
flows_file="${GATEHOUSE_FLOWS:-docs/examples/flows.yaml}"
example=$(node -e '
  const { parse } = require("yaml");
  const f = parse(require("fs").readFileSync(process.argv[1], "utf8")).flows[0];
  const durations = { s: 1, m: 60, h: 3600, d: 86400 };
  const d = String(f.durations[0]); const seconds = /^\d+$/.test(d) ? Number(d) : Number(d.slice(0, -1)) * durations[d.slice(-1)];
  const reason = f.reason && f.reason.patternHint && /e\.g\. (\S+)/.test(f.reason.patternHint) ? RegExp.$1 + " trying Gatehouse" : "trying Gatehouse";
  process.stdout.write(JSON.stringify({ flow: f.name, target: f.targets[0].id, durationSeconds: seconds, reason }));
' "$flows_file" 2>/dev/null || echo '{"flow":"production-database","target":"read-only","durationSeconds":3600,"reason":"INC-1234 trying Gatehouse"}')
cli_env=""; [[ "$DATABASE_URL" == "postgres://postgres@127.0.0.1:5432/gatehouse" ]] || cli_env="DATABASE_URL='$DATABASE_URL' "
if [[ $ready == 1 ]]; then
cat >&2 <<MSG

[start] Gatehouse is running.
  API:      http://127.0.0.1:${ports[gateway]}/api/v1   (health: /healthz, /readyz, metrics: /metrics on every service, ports ${ports[gateway]}-${ports[slack-bot]})
  Try it (paste both lines: a token for you, then a request with it):
    export TOKEN=\$(${cli_env}npm run -s gatehouse -- tokens create --for you@example.com --scopes requests:read,requests:write --only-token)
    curl -s -X POST http://127.0.0.1:${ports[gateway]}/api/v1/requests -H "Authorization: Bearer \$TOKEN" -H 'content-type: application/json' -d '${example}'
  Slack:    $slack
  Okta:     $okta
  Ctrl-C stops everything.
MSG
fi
wait -n "${pids[@]}" || true
echo "[start] a service stopped; shutting the rest down" >&2
