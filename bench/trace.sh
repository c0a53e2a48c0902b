#!/usr/bin/env bash
# Traceability at scale: 1M events over ~200k identifiers in PostgreSQL, then
#   trace back/forward of depth 10 reaching up to 1,000 nodes (closed loop, p50/p99), and
#   capture of documents of 100 events (events/s),
# beside baseline C (pgbench -S -M prepared: one indexed read) measured in the same run.
# The identifiers form 195 binary trees of 1,023 nodes (PREFIX/T{t}-N{n}; node n went into 2n and 2n+1 through a
# TransformationEvent), and ~900k ObjectEvents observe them; seeded directly in SQL.
# Usage: bench/trace.sh [--duration SECONDS]     Prints a table and writes bench/results/trace-latest.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=20
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
PREFIX=88.118.8.1001 TOKEN=trace-operator-token TREES=195 NODES=1023 EVENTS=1000000

. scripts/services.sh
services_install
services_start
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; services_stop; }
trap cleanup EXIT
OUT=$IDRES_SERVICES_DIR/trace; mkdir -p "$OUT"
echo "== building Release"
for p in src/IdResolution.Server bench/IdResolution.LoadGen; do
  dotnet publish -c Release -o "$OUT/$(basename $p)" "$p" >/dev/null
done
LOADGEN="dotnet $OUT/IdResolution.LoadGen/IdResolution.LoadGen.dll"
PSQL="psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $IDRES_PG_PORT -U postgres"
$PSQL -c "CREATE DATABASE idres"
REGISTRY="Host=127.0.0.1;Port=$IDRES_PG_PORT;Username=postgres;Database=idres"
dotnet "$OUT/IdResolution.Server/IdResolution.Server.dll" migrate --Registry:Provider=Postgres "--ConnectionStrings:Registry=$REGISTRY" >/dev/null

echo "== seeding $EVENTS events over $((TREES * NODES)) identifiers"
TRANSFORMS=$((TREES * (NODES / 2)))
OBSERVATIONS=$((EVENTS - TRANSFORMS))
$PSQL -d idres -v p="$PREFIX" -v trees="$TREES" -v internal="$((NODES / 2))" -v nodes="$NODES" -v observations="$OBSERVATIONS" <<'SQL'
INSERT INTO epcis_captures (at, events, duplicates) VALUES (0, 0, 0);
INSERT INTO epcis_events (event_id, type, action, event_time, record_time, biz_step, disposition, erroneous, capture_id, json)
SELECT 'urn:bench:tx:' || t || ':' || n, 'TransformationEvent', NULL, 1773705600000 + n * 1000, 0, 'commissioning', 'active', false, 1,
       '{"type":"TransformationEvent","eventID":"urn:bench:tx:' || t || ':' || n || '"}'
FROM generate_series(0, :trees - 1) t, generate_series(1, :internal) n;
INSERT INTO epcis_event_objects (event_pk, name, role)
SELECT id, :'p' || '/T' || split_part(event_id, ':', 4) || '-N' || split_part(event_id, ':', 5), 3 FROM epcis_events WHERE type = 'TransformationEvent'
UNION ALL SELECT id, :'p' || '/T' || split_part(event_id, ':', 4) || '-N' || (split_part(event_id, ':', 5)::int * 2), 4 FROM epcis_events WHERE type = 'TransformationEvent'
UNION ALL SELECT id, :'p' || '/T' || split_part(event_id, ':', 4) || '-N' || (split_part(event_id, ':', 5)::int * 2 + 1), 4 FROM epcis_events WHERE type = 'TransformationEvent';
INSERT INTO epcis_links (from_object, to_object, event_pk, valid_from, containment)
SELECT i.name, o.name, i.event_pk, e.event_time, false FROM epcis_event_objects i
JOIN epcis_event_objects o ON o.event_pk = i.event_pk AND o.role = 4 JOIN epcis_events e ON e.id = i.event_pk WHERE i.role = 3;
INSERT INTO epcis_events (event_id, type, action, event_time, record_time, biz_step, disposition, biz_location, erroneous, capture_id, json)
SELECT 'urn:bench:ob:' || i, 'ObjectEvent', 'OBSERVE', 1773800000000 + i, 0, 'receiving', 'sellable_not_accessible', :'p' || '/SITE-' || (i % 100), false, 1,
       '{"type":"ObjectEvent","eventID":"urn:bench:ob:' || i || '"}'
FROM generate_series(1, :observations) i;
INSERT INTO epcis_event_objects (event_pk, name, role)
SELECT id, :'p' || '/T' || ((k - 1) % :trees) || '-N' || (((k - 1) / :trees) % :nodes + 1), 0
FROM (SELECT id, split_part(event_id, ':', 4)::bigint AS k FROM epcis_events WHERE type = 'ObjectEvent') e;
INSERT INTO epcis_object_states (name, disposition, disposition_at, location, location_at)
SELECT o.name, 'sellable_not_accessible', max(e.event_time), max(e.biz_location), max(e.event_time)
FROM epcis_event_objects o JOIN epcis_events e ON e.id = o.event_pk WHERE o.role = 0 GROUP BY o.name;
INSERT INTO epcis_event_ids (event_id, event_pk) SELECT event_id, id FROM epcis_events;
ANALYZE;
SQL
$PSQL -d idres -t -c "SELECT count(*) || ' events, ' || (SELECT count(*) FROM epcis_links) || ' links, ' || (SELECT count(*) FROM epcis_object_states) || ' objects' FROM epcis_events"

NODE_HTTP=http://127.0.0.1:$(free_port)
dotnet "$OUT/IdResolution.Server/IdResolution.Server.dll" --Node:HttpUrl=$NODE_HTTP --Node:GrpcUrl=http://127.0.0.1:$(free_port) \
  --Registry:Provider=Postgres "--ConnectionStrings:Registry=$REGISTRY" --Auth:BootstrapToken=$TOKEN --Seeds:Load=false \
  --Logging:LogLevel:Default=Warning --Limits:PerAddressPerSecond=0 --Limits:PerKeyPerSecond=0 > "$OUT/node.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do curl -sf "$NODE_HTTP/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$NODE_HTTP/api/prefixes/$PREFIX" >/dev/null

echo "== measuring"
$LOADGEN trace --target "$NODE_HTTP" --prefix $PREFIX --trees $TREES --nodes $NODES --duration 3 --concurrency 4 >/dev/null
TRACE1=$($LOADGEN trace --target "$NODE_HTTP" --prefix $PREFIX --trees $TREES --nodes $NODES --duration "$DURATION" --concurrency 1)
echo "trace, one at a time: $TRACE1"
TRACE=$($LOADGEN trace --target "$NODE_HTTP" --prefix $PREFIX --trees $TREES --nodes $NODES --duration "$DURATION" --concurrency 4)
echo "trace, 4 in flight: $TRACE"
CAPTURE=$($LOADGEN epcis-capture --target "$NODE_HTTP" --token $TOKEN --prefix $PREFIX --trees $TREES --nodes $NODES --per-document 100 --duration "$DURATION" --concurrency 4)
echo "capture: $CAPTURE"
$PSQL -c "CREATE DATABASE pgbench"
pgbench -q -i -s 10 -h 127.0.0.1 -p "$IDRES_PG_PORT" -U postgres pgbench >/dev/null 2>&1
PGBENCH=$(pgbench -S -M prepared -c 4 -j 1 -T "$DURATION" -r -h 127.0.0.1 -p "$IDRES_PG_PORT" -U postgres pgbench 2>/dev/null \
  | python3 -c 'import re,sys; t=sys.stdin.read(); print("{\"rps\":%.0f,\"latency_ms\":%s}"%(float(re.search(r"tps = ([\d.]+)",t).group(1)), re.search(r"latency average = ([\d.]+) ms",t).group(1)))')
echo "baselineC: $PGBENCH"

mkdir -p bench/results
python3 - "$TRACE" "$CAPTURE" "$PGBENCH" "$DURATION" "$TRACE1" > bench/results/trace-latest.md <<'PY'
import json, sys, datetime, platform, os
trace, capture, pg = (json.loads(a) for a in sys.argv[1:4])
single = json.loads(sys.argv[5])
print(f"# Traceability load run, {datetime.date.today()} on {platform.node()} ({os.cpu_count()} cores), `bench/trace.sh --duration {sys.argv[4]}`\n")
print("1,000,000 events over 199,485 identifiers (195 binary trees of 1,023), PostgreSQL 15; closed loop; load generator,")
print("node and PostgreSQL on the same 2 cores. Traces: half forward from a root (1,000 nodes), half back from a leaf (10).\n")
print("| measure | result | baseline C (pgbench -S, 4 clients) | ratio | target | met |")
print("|---|---|---|---|---|---|")
print(f"| trace back/forward, depth 10, up to 1,000 nodes, one at a time: p50 / p99 | {single['p50_ms']:.1f} / {single['p99_ms']:.1f} ms ({single['rps']} traces/s, {single['errors']} errors) | {pg['latency_ms']} ms per indexed read | p99 = {single['p99_ms']/float(pg['latency_ms']):.0f} reads | p99 <= 50 ms | {'yes' if single['p99_ms'] <= 50 else '**no**'} |")
print(f"| the same, 4 in flight: p50 / p99 | {trace['p50_ms']:.1f} / {trace['p99_ms']:.1f} ms ({trace['rps']} traces/s, {trace['errors']} errors) | | p99 = {trace['p99_ms']/float(pg['latency_ms']):.0f} reads | p99 <= 50 ms | {'yes' if trace['p99_ms'] <= 50 else '**no**'} |")
print(f"| capture, documents of 100 events | {capture['ids_per_s']} events/s (p99 {capture['p99_ms']:.0f} ms per document, {capture['errors']} errors) | {pg['rps']} reads/s | {capture['ids_per_s']/pg['rps']:.2f} | >= 5,000 events/s | {'yes' if capture['ids_per_s'] >= 5000 else '**no**'} |")
PY
cat bench/results/trace-latest.md
