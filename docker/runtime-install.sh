#!/bin/sh
# The runtime stage's one install step, shared with scripts/runtime-layout.sh so the layout the
# tests start services from is made exactly as the image is: the production packages of one
# app's generated package.json, at the versions its pruned package-lock.json pins, no scripts.
#   sh docker/runtime-install.sh <dir holding package.json and package-lock.json>
set -eu
cd "${1:-.}"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
