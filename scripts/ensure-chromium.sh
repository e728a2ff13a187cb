#!/usr/bin/env bash
# The browser tests (account linking) drive Debian's Chromium with playwright-core: installs it
# when missing (Playwright's own browser downloads are not reachable from every machine).
set -euo pipefail
CHROMIUM="${GATEHOUSE_CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] && exit 0
echo "[deps] installing Chromium for the browser tests (apt-get install chromium)…" >&2
if [[ $(id -u) -eq 0 ]]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo -n); else SUDO=(); fi
if ! { "${SUDO[@]}" apt-get install -y -q chromium >/dev/null 2>&1 || { "${SUDO[@]}" apt-get update -q >/dev/null 2>&1 && "${SUDO[@]}" apt-get install -y -q chromium >/dev/null; }; }; then
  echo "[deps] could not install Chromium: run 'sudo apt-get install chromium' (or set GATEHOUSE_CHROMIUM to a Chromium binary) and try again" >&2
  exit 1
fi
