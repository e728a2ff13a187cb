#!/usr/bin/env bash
# Runs a real single-node Apache Kafka 3.9 broker (KRaft mode) from the Apache jars on
# Maven Central. No Docker, no fake: the same broker the services use in production.
#
#   scripts/kafka.sh start|stop|status|restart
#
# Environment (all optional):
#   KAFKA_PORT            client port, default 9092
#   KAFKA_CONTROLLER_PORT KRaft controller port, default KAFKA_PORT+1
#   KAFKA_STATE_DIR       jars config data log pid, default .gatehouse/kafka-$KAFKA_PORT
#   KAFKA_FRESH=1         wipe the data directory before starting (tests use it)
#   KAFKA_SASL_LISTENER_PORT, KAFKA_SASL_LISTENER_USER=name:password
#                         also listen there with SASL (PLAIN and SCRAM-SHA-512) for that one
#                         user, as a secured cluster would (tests use it; set at first format)
#   KAFKA_EXTRA_PROPS     lines added to server.properties (a later line wins), to measure a setting
#   KAFKA_JIT_OPTS        the JVM's JIT options (default -XX:TieredStopAtLevel=1: C1 only; set
#                         empty for the JVM's full compiler, as the benchmarks do)
#   KAFKA_JAVA_OPTS       the JVM's heap, GC and JIT options, replacing all of the defaults
#                         (-Xms256m -Xmx768m -XX:+UseG1GC and KAFKA_JIT_OPTS); split on
#                         spaces, so no option may contain one
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="3.9.1"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
STATE_DIR="${KAFKA_STATE_DIR:-$ROOT/.gatehouse/kafka-$PORT}"
# Jars are shared by every state dir; Maven caches the downloads in ~/.m2.
LIB_DIR="$ROOT/.gatehouse/kafka-libs-$KAFKA_VERSION"
DATA_DIR="$STATE_DIR/data"
PID_FILE="$STATE_DIR/kafka.pid"
LOG_FILE="$STATE_DIR/server.log"
SASL_PORT="${KAFKA_SASL_LISTENER_PORT:-}"
SASL_USER="${KAFKA_SASL_LISTENER_USER:-}"
if [[ -n "$SASL_PORT" && "$SASL_USER" != *:* ]]; then echo "[kafka] KAFKA_SASL_LISTENER_PORT needs KAFKA_SASL_LISTENER_USER=name:password" >&2; exit 2; fi

say() { echo "[kafka] $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

fetch_jars() {
  if [[ -f "$LIB_DIR/.complete" ]]; then return 0; fi
  command -v java >/dev/null || { say "java not found: install Java 17 (e.g. apt-get install openjdk-17-jre-headless)"; exit 1; }
  command -v mvn >/dev/null || { say "mvn not found: install Maven (e.g. apt-get install maven)"; exit 1; }
  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (first run only, cached in ~/.m2)…"
  rm -rf "$LIB_DIR"; mkdir -p "$LIB_DIR"
  mvn -q -B -Dstyle.color=never -f "$ROOT/scripts/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB_DIR" >&2
  touch "$LIB_DIR/.complete"
}

write_config() {
  mkdir -p "$STATE_DIR" "$DATA_DIR"
  cat > "$STATE_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT${SASL_PORT:+,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT}
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT${SASL_PORT:+,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
log.dirs=$DATA_DIR
# Topics are created explicitly by the services (libs/messaging ensureTopics).
auto.create.topics.enable=false
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# One host, no reason to wait for more group members before the first assignment.
group.initial.rebalance.delay.ms=0
log.retention.hours=168
${KAFKA_EXTRA_PROPS:-}
PROPS
  if [[ -n "$SASL_PORT" ]]; then
    cat >> "$STATE_DIR/server.properties" <<PROPS
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${SASL_USER%%:*}="${SASL_USER#*:}";
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
PROPS
  fi
  cat > "$STATE_DIR/log4j.properties" <<PROPS
log4j.rootLogger=WARN, file
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$LOG_FILE
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
}

# C1 only by default: a broker started for a test run or `npm start` spends its first minute
# JIT-compiling with C2 (half its CPU at 50 requests/s). Benchmarks, which measure after a
# warm-up, set KAFKA_JIT_OPTS empty (C2, as a deployed broker runs). KAFKA_JAVA_OPTS replaces
# all of these (heap, GC, JIT) when measuring something else.
read -r -a java_opts <<< "${KAFKA_JAVA_OPTS:--Xms256m -Xmx768m -XX:+UseG1GC ${KAFKA_JIT_OPTS--XX:TieredStopAtLevel=1}} -Djava.awt.headless=true"

start() {
  if pid="$(running_pid)"; then say "already running (pid $pid) on 127.0.0.1:$PORT"; return 0; fi
  if port_open "$PORT"; then
    say "port $PORT is already taken by another process: stop it or set KAFKA_PORT to a free port"; exit 1
  fi
  fetch_jars
  [[ "${KAFKA_FRESH:-0}" == "1" ]] && rm -rf "$DATA_DIR"
  write_config
  local cp="$LIB_DIR/*"
  if [[ ! -f "$DATA_DIR/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    java "${java_opts[@]}" -Dlog4j.configuration="file:$STATE_DIR/log4j.properties" -cp "$cp" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$STATE_DIR/server.properties" \
      ${SASL_PORT:+--add-scram "SCRAM-SHA-512=[name=${SASL_USER%%:*},password=${SASL_USER#*:}]"} >/dev/null
  fi
  say "starting broker on 127.0.0.1:$PORT (log: $LOG_FILE)"
  nohup java "${java_opts[@]}" -Dlog4j.configuration="file:$STATE_DIR/log4j.properties" -cp "$cp" \
    kafka.Kafka "$STATE_DIR/server.properties" > "$STATE_DIR/stdout.log" 2>&1 &
  echo $! > "$PID_FILE"
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until port_open "$PORT" && grep -q "Kafka Server started" "$LOG_FILE" 2>/dev/null; do
    if ! running_pid >/dev/null; then
      say "broker exited during start-up; last lines of its logs:"; tail -n 30 "$LOG_FILE" "$STATE_DIR/stdout.log" >&2 || true
      rm -f "$PID_FILE"; exit 1
    fi
    if (( SECONDS > deadline )); then say "broker did not accept connections in time; see $LOG_FILE"; stop; exit 1; fi
    sleep 0.5
  done
  say "ready on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then say "not running"; rm -f "$PID_FILE"; return 0; fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then say "broker did not stop in 30 s, killing it"; kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

status() {
  if pid="$(running_pid)"; then say "running (pid $pid) on 127.0.0.1:$PORT"; else say "not running"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
