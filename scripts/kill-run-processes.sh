#!/usr/bin/env bash
# Stops every process that carries GATEHOUSE_TEST_RUN_ID=<id> in its environment: services a
# test or benchmark started and could not stop itself (a crashed or interrupted runner).
# Nothing else is touched, not even an `npm start` running beside the tests.
set -uo pipefail
run_id="${1:?usage: kill-run-processes.sh <run id>}"
pids=()
for environ in /proc/[0-9]*/environ; do
  pid="${environ#/proc/}"; pid="${pid%/environ}"
  [[ "$pid" == "$$" || "$pid" == "$PPID" ]] && continue
  if { tr "\0" "\n" < "$environ"; } 2>/dev/null | grep -qx "GATEHOUSE_TEST_RUN_ID=$run_id"; then pids+=("$pid"); fi
done
[[ ${#pids[@]} -eq 0 ]] && exit 0
echo "[cleanup] stopping ${#pids[@]} leftover process(es) of run $run_id" >&2
kill "${pids[@]}" 2>/dev/null || true
sleep 2
kill -9 "${pids[@]}" 2>/dev/null || true
