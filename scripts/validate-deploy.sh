#!/usr/bin/env bash
# Validates deploy/ without a Docker engine or a cluster: YAML lint (yamllint), the Kubernetes manifests against the
# API's schemas and compose.yaml against the Compose specification (deploy/validate, npm packages pinned in its
# package-lock.json), and HAProxy's own check of deploy/haproxy/haproxy.cfg. Part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian's packages"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

yamllint -c deploy/.yamllint deploy
(cd deploy/validate && npm ci --no-audit --no-fund --loglevel=error >/dev/null && node validate.mjs)

# HAProxy checks its file with the addresses compose.yaml gives it.
env LB_HTTP_BIND=:8080 LB_GRPC_BIND=:8081 LB_NATIVE_BIND=:2641 LB_STATS_BIND=:8404 \
  NODE1_ADDR=127.0.0.1 NODE2_ADDR=127.0.0.1 NODE3_ADDR=127.0.0.1 \
  NODE1_HTTP_PORT=5080 NODE2_HTTP_PORT=5080 NODE3_HTTP_PORT=5080 NODE1_GRPC_PORT=5081 NODE2_GRPC_PORT=5081 NODE3_GRPC_PORT=5081 \
  NODE1_NATIVE_PORT=2641 NODE2_NATIVE_PORT=2641 NODE3_NATIVE_PORT=2641 \
  /usr/sbin/haproxy -c -q -f deploy/haproxy/haproxy.cfg
echo "deploy/: yamllint, schemas and haproxy -c passed"
