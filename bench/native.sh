#!/usr/bin/env bash
# Native Handle protocol throughput beside HTTP, in one run: a Release node on a private PostgreSQL and Redis, one
# registered handle resolved from L1 over HTTP/1.1 (wrk), native TCP and native UDP (bench/IdResolution.LoadGen).
# Usage: bench/native.sh [--duration SECONDS] (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=10
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
PREFIX=88.118.8.1001 HANDLE=88.118.8.1001/NATIVE-0 TOKEN=native-operator-token

. scripts/services.sh
services_install
command -v wrk >/dev/null || { echo "Installing wrk"; apt-get install -y -qq wrk >/dev/null; }
services_start
NODE_PID=""
cleanup() { [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null || true; services_stop; }
trap cleanup EXIT
OUT=$IDRES_SERVICES_DIR/native; mkdir -p "$OUT"
echo "== building Release"
dotnet publish -c Release -o "$OUT/server" src/IdResolution.Server >/dev/null
dotnet publish -c Release -o "$OUT/loadgen" bench/IdResolution.LoadGen >/dev/null
psql -q -h 127.0.0.1 -p "$IDRES_PG_PORT" -U postgres -c "CREATE DATABASE idres_native"
REGISTRY="Host=127.0.0.1;Port=$IDRES_PG_PORT;Username=postgres;Database=idres_native"
dotnet "$OUT/server/IdResolution.Server.dll" migrate --Registry:Provider=Postgres "--ConnectionStrings:Registry=$REGISTRY" >/dev/null
HTTP=http://127.0.0.1:$(free_port) GRPC=http://127.0.0.1:$(free_port) NATIVE=$(free_port)
dotnet "$OUT/server/IdResolution.Server.dll" --Node:HttpUrl=$HTTP --Node:GrpcUrl=$GRPC --Native:Port=$NATIVE \
  --Registry:Provider=Postgres "--ConnectionStrings:Registry=$REGISTRY" "--ConnectionStrings:Redis=$IDRES_TEST_REDIS" \
  --Auth:BootstrapToken=$TOKEN --Logging:LogLevel:Default=Warning --Limits:PerAddressPerSecond=0 --Limits:PerKeyPerSecond=0 > "$OUT/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 300); do curl -sf "$HTTP/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$HTTP/api/prefixes/$PREFIX" >/dev/null
curl -sf -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$HTTP/api/handles/$HANDLE" \
  -d '[{"index":1,"type":"URL","data":"https://example.com/products/shampoo/2026-000123"},{"index":2000,"type":"productName","data":"Herbal shampoo 500ml"}]' >/dev/null
LOADGEN="dotnet $OUT/loadgen/IdResolution.LoadGen.dll"
# Warm-up of every path (JIT, pools, the L1 entry).
wrk -t1 -c32 -d3s "$HTTP/api/handles/$HANDLE" >/dev/null
$LOADGEN native --target "tcp://127.0.0.1:$NATIVE" --hot "$HANDLE" --transport tcp --duration 2 --concurrency 32 >/dev/null
$LOADGEN native --target "udp://127.0.0.1:$NATIVE" --hot "$HANDLE" --transport udp --duration 2 --concurrency 32 >/dev/null

HTTP_RPS=$(wrk -t1 -c32 -d"${DURATION}s" "$HTTP/api/handles/$HANDLE" | awk '/Requests\/sec/ {print $2}')
TCP=$($LOADGEN native --target "tcp://127.0.0.1:$NATIVE" --hot "$HANDLE" --transport tcp --duration "$DURATION" --concurrency 32)
UDP=$($LOADGEN native --target "udp://127.0.0.1:$NATIVE" --hot "$HANDLE" --transport udp --duration "$DURATION" --concurrency 32)
python3 - "$HTTP_RPS" "$TCP" "$UDP" <<'PY'
import json, sys
http = float(sys.argv[1]); tcp = json.loads(sys.argv[2]); udp = json.loads(sys.argv[3])
print("| path (L1 hit, 32 in flight) | rps | ratio to HTTP | errors |")
print("|---|---:|---:|---:|")
print(f"| HTTP/1.1 GET /api/handles (wrk) | {http:,.0f} | 1.00 | |")
print(f"| native TCP, a connection per worker | {tcp['rps']:,.0f} | {tcp['rps'] / http:.2f} | {tcp['errors']} |")
print(f"| native UDP, a socket per worker | {udp['rps']:,.0f} | {udp['rps'] / http:.2f} | {udp['errors']} |")
PY
