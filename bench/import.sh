#!/usr/bin/env bash
# Bulk import throughput and memory: a Release node on a private PostgreSQL imports a generated CSV of N identifiers
# with five values each through POST /api/import, measured against the baseline of PostgreSQL's own COPY of the same
# file into a plain table, in the same run; the node's RSS is sampled throughout (it should stay flat).
# Usage: bench/import.sh [--rows N] (default 1,000,000) [--large] (10,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --large) ROWS=10000000; shift ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
PREFIX=88.118.8.1001 TOKEN=import-operator-token

. scripts/services.sh
services_install
services_start
NODE_PID=""
cleanup() { [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null || true; services_stop; }
trap cleanup EXIT
OUT=$IDRES_SERVICES_DIR/import; mkdir -p "$OUT"
PSQL="psql -q -h 127.0.0.1 -p $IDRES_PG_PORT -U postgres"

echo "== building Release"
dotnet publish -c Release -o "$OUT/server" src/IdResolution.Server >/dev/null

echo "== generating $ROWS rows"
FILE=$OUT/import.csv
python3 - "$FILE" "$ROWS" "$PREFIX" <<'PY'
import sys
path, rows, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w", buffering=1 << 20) as f:
    f.write("handle,1:URL,2000:productName,2001:batchNumber,2002:productionDate,2003:manufacturer\n")
    for i in range(rows):
        f.write(f"{prefix}/IMP-{i:09d},https://example.com/p/{i},Herbal shampoo 500ml,B2026-03-{i % 28 + 1:02d}-A,2026-03-{i % 28 + 1:02d},Daily Chemicals Co.\n")
PY
ls -l "$FILE" | awk '{printf "file: %.0f MB\n", $5/1048576}'

$PSQL -c "CREATE DATABASE idres_import"
REGISTRY="Host=127.0.0.1;Port=$IDRES_PG_PORT;Username=postgres;Database=idres_import"
dotnet "$OUT/server/IdResolution.Server.dll" migrate --Registry:Provider=Postgres "--ConnectionStrings:Registry=$REGISTRY" >/dev/null

echo "== baseline: PostgreSQL COPY of the same file into a plain table"
$PSQL -d idres_import -c "CREATE TABLE copy_baseline (handle text, url text, name text, batch text, produced text, maker text)"
START=$(date +%s.%N)
$PSQL -d idres_import -c "\\copy copy_baseline FROM '$FILE' WITH (FORMAT csv, HEADER true)"
BASE=$(python3 -c "import time; print($ROWS / (time.time() - $START))")
$PSQL -d idres_import -c "DROP TABLE copy_baseline"

echo "== node import"
HTTP=http://127.0.0.1:$(free_port) GRPC=http://127.0.0.1:$(free_port)
dotnet "$OUT/server/IdResolution.Server.dll" --Node:HttpUrl=$HTTP --Node:GrpcUrl=$GRPC --Registry:Provider=Postgres \
  "--ConnectionStrings:Registry=$REGISTRY" --Auth:BootstrapToken=$TOKEN --Logging:LogLevel:Default=Warning \
  --Limits:PerAddressPerSecond=0 --Limits:PerKeyPerSecond=0 > "$OUT/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 300); do curl -sf "$HTTP/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$HTTP/api/prefixes/$PREFIX" >/dev/null
# Warm-up: a small import of other rows, so that JIT and pools are settled before the measured one.
head -1 "$FILE" > "$OUT/warm.csv"; sed -n '2,20001p' "$FILE" | sed 's/IMP-/WARM-/' >> "$OUT/warm.csv"
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$OUT/warm.csv" "$HTTP/api/import" >/dev/null
RSS_BEFORE=$(ps -o rss= -p $NODE_PID)
( while kill -0 $NODE_PID 2>/dev/null; do ps -o rss= -p $NODE_PID; sleep 0.5; done ) > "$OUT/rss.txt" &
SAMPLER=$!
START=$(date +%s.%N)
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' -T "$FILE" -X POST "$HTTP/api/import" > "$OUT/result.json"
ELAPSED=$(python3 -c "import time; print(time.time() - $START)")
kill $SAMPLER 2>/dev/null || true
python3 - "$OUT/result.json" "$ROWS" "$ELAPSED" "$BASE" "$RSS_BEFORE" "$OUT/rss.txt" <<'PY'
import json, sys
result = json.load(open(sys.argv[1])); rows = int(sys.argv[2]); elapsed = float(sys.argv[3]); base = float(sys.argv[4])
before = int(sys.argv[5]) / 1024; peak = max([int(l) for l in open(sys.argv[6]) if l.strip()] or [0]) / 1024
rate = rows / elapsed
print(f"imported {result['imported']} of {result['read']} rows ({result['failed']} failed) in {elapsed:.1f} s")
print("| measure | value | ratio |")
print("|---|---:|---:|")
print(f"| node import, identifiers/s (5 values each, end to end over HTTP) | {rate:,.0f} | {rate / base:.2f} of COPY |")
print(f"| baseline: psql \\copy of the same CSV into a plain table, rows/s | {base:,.0f} | 1.00 |")
print(f"| node RSS before -> peak during import, MiB | {before:.0f} -> {peak:.0f} | {peak / before:.2f} |")
PY
