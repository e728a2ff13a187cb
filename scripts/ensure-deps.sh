#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than package-lock.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
marker=node_modules/.package-lock.json
if [[ ! -f "$marker" || package-lock.json -nt "$marker" ]]; then
  echo "[deps] installing npm dependencies…" >&2
  # `npm install`, not `npm ci`: npm 11 leaves other platforms' optional binaries (swc's)
  # out of the lock file and `npm ci` then refuses it; the lock still pins every version.
  npm install --no-audit --no-fund --loglevel=error
fi
