#!/usr/bin/env bash
# The scaled-out topology under load, in one run: three Release nodes on one PostgreSQL (resolves reading its streaming
# standby) and one Redis, behind HAProxy with deploy/haproxy/haproxy.cfg. Through HAProxy with 1, 2 and 3 nodes in
# rotation (the others left out by pointing their slots at a closed port), and straight at one node without HAProxy
# as the baseline: HTTP/1.1 (wrk, uniform mix over N identifiers, every node's L1 warm), gRPC (bench/IdResolution.LoadGen,
# the same mix over HTTP/2) and the native protocol over TCP (LoadGen, one hot identifier).
# Usage: bench/topology.sh [--handles N] [--duration SECONDS]   (defaults 10000, 10)
set -euo pipefail
cd "$(dirname "$0")/.."
HANDLES=10000 DURATION=10
while [ $# -gt 0 ]; do
  case "$1" in
    --handles) HANDLES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
PREFIX=88.118.8.1001 TOKEN=topology-operator-token WRK="wrk -t1 -c64"

. scripts/services.sh
services_install
command -v wrk >/dev/null || { echo "Installing wrk"; sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"; $sudo apt-get install -y -qq wrk >/dev/null; }
services_start
PIDS=() HAPROXY_PID=""
cleanup() { for p in "${PIDS[@]}" $HAPROXY_PID; do kill "$p" 2>/dev/null || true; done; services_stop; }
trap cleanup EXIT
OUT=$IDRES_SERVICES_DIR/topology; mkdir -p "$OUT"
PSQL="psql -q -h 127.0.0.1 -p $IDRES_PG_PORT -U postgres"

echo "== building Release"
dotnet publish -c Release -o "$OUT/server" src/IdResolution.Server >/dev/null
dotnet publish -c Release -o "$OUT/loadgen" bench/IdResolution.LoadGen >/dev/null
LOADGEN="dotnet $OUT/loadgen/IdResolution.LoadGen.dll"
$PSQL -c "CREATE DATABASE idres_topology"
REGISTRY="Host=127.0.0.1;Port=$IDRES_PG_PORT;Username=postgres;Database=idres_topology"
STANDBY="Host=127.0.0.1;Port=$IDRES_PG_STANDBY_PORT;Username=postgres;Database=idres_topology"
dotnet "$OUT/server/IdResolution.Server.dll" migrate --Registry:Provider=Postgres "--ConnectionStrings:Registry=$REGISTRY" >/dev/null

declare -a HTTP_PORTS GRPC_PORTS NATIVE_PORTS
for n in 1 2 3; do
  HTTP_PORTS[$n]=$(free_port); GRPC_PORTS[$n]=$(free_port); NATIVE_PORTS[$n]=$(free_port)
  dotnet "$OUT/server/IdResolution.Server.dll" --Node:HttpUrl=http://127.0.0.1:${HTTP_PORTS[$n]} --Node:GrpcUrl=http://127.0.0.1:${GRPC_PORTS[$n]} \
    --Native:Port=${NATIVE_PORTS[$n]} --Registry:Provider=Postgres "--ConnectionStrings:Registry=$REGISTRY" "--ConnectionStrings:RegistryRead=$STANDBY" \
    "--ConnectionStrings:Redis=$IDRES_TEST_REDIS" --Auth:BootstrapToken=$TOKEN --Logging:LogLevel:Default=Warning \
    --Limits:PerAddressPerSecond=0 --Limits:PerKeyPerSecond=0 > "$OUT/node$n.log" 2>&1 &
  PIDS+=($!)
done
for n in 1 2 3; do
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:${HTTP_PORTS[$n]}/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
done

NODE1=http://127.0.0.1:${HTTP_PORTS[1]}
curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$NODE1/api/prefixes/$PREFIX" >/dev/null
curl -sf -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$NODE1/api/handles/$PREFIX/L-0" \
  -d '[{"index":1,"type":"URL","data":"https://example.com/products/shampoo/2026-000123"},{"index":2000,"type":"productName","data":"Herbal shampoo 500ml"}]' >/dev/null
$PSQL -d idres_topology -c "INSERT INTO handles (key, handle, prefix, version, values, created_at, updated_at)
  SELECT '$PREFIX/L-' || i, '$PREFIX/L-' || i, '$PREFIX', 1, (SELECT values FROM handles WHERE key = '$PREFIX/L-0'), 0, 0
  FROM generate_series(1, $HANDLES - 1) AS i ON CONFLICT DO NOTHING; ANALYZE handles;"
cat > "$OUT/mix.lua" <<LUA
request = function() return wrk.format("GET", "/api/handles/$PREFIX/L-" .. math.random(0, $HANDLES - 1)) end
LUA

start_haproxy() {  # NODES: how many nodes in rotation; the other slots point at a closed port
  local closed; closed=$(free_port)
  STATS_PORT=$(free_port)
  local env=(LB_HTTP_BIND=127.0.0.1:$LB_PORT LB_GRPC_BIND=127.0.0.1:$LB_GRPC LB_NATIVE_BIND=127.0.0.1:$LB_NATIVE LB_STATS_BIND=127.0.0.1:$STATS_PORT)
  for n in 1 2 3; do
    local http=${HTTP_PORTS[$n]}; [ "$n" -le "$1" ] || http=$closed
    env+=(NODE${n}_ADDR=127.0.0.1 NODE${n}_HTTP_PORT=$http NODE${n}_GRPC_PORT=${GRPC_PORTS[$n]} NODE${n}_NATIVE_PORT=${NATIVE_PORTS[$n]})
  done
  env "${env[@]}" /usr/sbin/haproxy -db -f deploy/haproxy/haproxy.cfg > "$OUT/haproxy-$1.log" 2>&1 &
  HAPROXY_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$LB_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 3  # the left-out slots fail their first two checks (1 s apart) before the run; nothing is measured here
}
rps() { $WRK -d"${DURATION}s" -s "$OUT/mix.lua" "$1" | awk '/Requests\/sec/ {print $2}'; }
grpc_rps() { $LOADGEN grpc --target "$1" --duration "$DURATION" --handles "$HANDLES" --concurrency 64 --connections 2 | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["rps"]))'; }
native_rps() { $LOADGEN native --target "tcp://127.0.0.1:$1" --hot "$PREFIX/L-0" --transport tcp --duration "$DURATION" --concurrency 32 | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["rps"]))'; }

echo "== warming every node's L1 with the whole mix"
for n in 1 2 3; do
  $WRK -d5s -s "$OUT/mix.lua" "http://127.0.0.1:${HTTP_PORTS[$n]}" >/dev/null
  $LOADGEN grpc --target "http://127.0.0.1:${GRPC_PORTS[$n]}" --duration 3 --handles "$HANDLES" >/dev/null
done
RESULTS=()
BASE="$(rps "$NODE1") $(grpc_rps "http://127.0.0.1:${GRPC_PORTS[1]}") $(native_rps "${NATIVE_PORTS[1]}")"
LB_PORT=$(free_port) LB_GRPC=$(free_port) LB_NATIVE=$(free_port)
for nodes in 1 2 3; do
  start_haproxy "$nodes"
  measured="$(rps "http://127.0.0.1:$LB_PORT") $(grpc_rps "http://127.0.0.1:$LB_GRPC") $(native_rps "$LB_NATIVE")"
  # Requests each node served in the run (HAProxy's statistics: column 8, stot), to show the spread.
  spread=$(curl -s "http://127.0.0.1:$STATS_PORT/;csv" | awk -F, '$1=="nodes_http" && $2 ~ /^node/ && $8 > 0 {printf "%s%s:%s", sep, $2, $8; sep="/"}')
  RESULTS+=("$nodes $measured $spread")
  kill "$HAPROXY_PID"; wait "$HAPROXY_PID" 2>/dev/null || true; HAPROXY_PID=""
done
python3 - "$BASE" "${RESULTS[@]}" <<'PY'
import sys
base = [float(x) for x in sys.argv[1].split()]
rows = [r.split() for r in sys.argv[2:]]
print("| nodes behind HAProxy | HTTP/1.1 rps (mix) | ratio to direct | gRPC rps (mix) | ratio to direct | native TCP rps (hot) | ratio to direct | HTTP requests per node |")
print("|---:|---:|---:|---:|---:|---:|---:|---|")
print(f"| direct to one node, no HAProxy (baseline) | {base[0]:,.0f} | 1.00 | {base[1]:,.0f} | 1.00 | {base[2]:,.0f} | 1.00 | |")
for nodes, http, grpc, native, *spread in rows:
    values = [float(http), float(grpc), float(native)]
    cells = " | ".join(f"{v:,.0f} | {v / b:.2f}" for v, b in zip(values, base))
    print(f"| {nodes} | {cells} | {' '.join(spread)} |")
PY
