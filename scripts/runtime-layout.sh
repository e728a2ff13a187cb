#!/usr/bin/env bash
# Assembles one app's runtime layout as the runtime stage of docker/Dockerfile does: its
# production build (scripts/build-app.cjs), then, in <dir>, the generated package.json and
# package-lock.json, the production install (docker/runtime-install.sh), then the built files.
# `node <dir>/main.js` then starts the service.
#   bash scripts/runtime-layout.sh <app> <dir>
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="${1:?usage: scripts/runtime-layout.sh <app> <dir>}"
dir="${2:?usage: scripts/runtime-layout.sh <app> <dir>}"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
node "$ROOT/scripts/build-app.cjs" "$app" "$build/out" >&2
rm -rf "$dir" && mkdir -p "$dir"
cp "$build/out/package.json" "$build/out/package-lock.json" "$dir/"
sh "$ROOT/docker/runtime-install.sh" "$dir"
cp -R "$build/out/." "$dir/"
echo "[layout] $app ready in $dir" >&2
