#!/usr/bin/env bash
# Helm 3 without a helm binary: Helm's own library (com.marcnuri.helm-java, on Maven Central,
# which embeds Helm 3.21), driven by scripts/helm/HelmCli.java. Jars are fetched once and cached.
#
#   bash scripts/helm.sh template k8s/gatehouse --kube-version 1.31.0 --values my-values.yaml
#   bash scripts/helm.sh lint k8s/gatehouse --strict
#   bash scripts/helm.sh schemas        # prints the folder of Kubernetes JSON Schemas (fabric8's)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM_JAVA_VERSION="0.0.21"
FABRIC8_VERSION="6.13.4"
LIB_DIR="$ROOT/.gatehouse/helm-libs-$HELM_JAVA_VERSION-$FABRIC8_VERSION"
say() { echo "[helm] $*" >&2; }

fetch() {
  command -v java >/dev/null || { say "java not found: install Java 17 (e.g. apt-get install openjdk-17-jdk-headless)"; exit 1; }
  command -v mvn >/dev/null || { say "mvn not found: install Maven (e.g. apt-get install maven)"; exit 1; }
  say "fetching helm-java $HELM_JAVA_VERSION (Helm's library) and fabric8's Kubernetes schemas from Maven Central (first run only, cached in ~/.m2)…"
  local tmp="$LIB_DIR.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp/schemas"
  mvn -q -B -Dstyle.color=never -f "$ROOT/scripts/helm/pom.xml" -Dhelm-java.version="$HELM_JAVA_VERSION" -Dfabric8.version="$FABRIC8_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >&2
  for jar in "$tmp"/*-model-*.jar; do
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("schema/validation-schema.json"))' "$jar" > "$tmp/schemas/$(basename "$jar" .jar).json"
  done
  touch "$tmp/.complete"
  rm -rf "$LIB_DIR"; mv "$tmp" "$LIB_DIR"
}

if [[ ! -f "$LIB_DIR/.complete" ]]; then
  # Tests render in parallel: one fetch at a time, and a half-fetched folder is never used.
  mkdir -p "$(dirname "$LIB_DIR")"
  exec 9>"$LIB_DIR.lock"
  flock 9
  [[ -f "$LIB_DIR/.complete" ]] || fetch
  flock -u 9
  exec 9>&-
fi
if [[ "${1:-}" == "schemas" ]]; then echo "$LIB_DIR/schemas"; exit 0; fi
# Java runs the one source file directly (no build step).
exec java -Xshare:auto -cp "$LIB_DIR/*" "$ROOT/scripts/helm/HelmCli.java" "$@"
