#!/usr/bin/env bash
# Partitioning the identifier table, measured before it is built (#10): the same N identifiers (default 10M, over 1,000
# prefixes, ~300-byte values) in three tables on one private PostgreSQL, in one run:
#   plain       the table as it is: primary key (key), index (prefix, key)
#   by_key      PARTITION BY HASH (key), P partitions (the registry's choice): same keys and indexes
#   by_prefix   PARTITION BY HASH (prefix), P partitions: primary key (prefix, key), lookups name both
# and reports, per table: resolve lookups/s (pgbench, prepared, random keys; with the plan PostgreSQL chooses, which on
# a partitioned table is a new plan per execution, and with its generic plan forced, as the node's read path does), a
# listing page (100 keys of one prefix),
# VACUUM of the whole table, the largest single index, and the time to build it.
# Usage: bench/partitions.sh [--rows N] [--duration SECONDS] [--partitions P]   (defaults 10000000, 15, 16)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=10000000 DURATION=15 PARTITIONS=16
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --partitions) PARTITIONS=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
. scripts/services.sh
services_install
services_start
trap services_stop EXIT
OUT=$IDRES_SERVICES_DIR/partitions; mkdir -p "$OUT"
PSQL="psql -q -X -h 127.0.0.1 -p $IDRES_PG_PORT -U postgres -d idres_partitions -v ON_ERROR_STOP=1"
psql -q -h 127.0.0.1 -p "$IDRES_PG_PORT" -U postgres -c "CREATE DATABASE idres_partitions"
COLUMNS='key text COLLATE "C" NOT NULL, handle text NOT NULL, prefix text COLLATE "C" NOT NULL, version bigint NOT NULL, values bytea NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL'

$PSQL <<SQL
CREATE TABLE plain ($COLUMNS, PRIMARY KEY (key));
CREATE TABLE by_key ($COLUMNS, PRIMARY KEY (key)) PARTITION BY HASH (key);
CREATE TABLE by_prefix ($COLUMNS, PRIMARY KEY (prefix, key)) PARTITION BY HASH (prefix);
SELECT format('CREATE TABLE %s_%s PARTITION OF %s FOR VALUES WITH (MODULUS $PARTITIONS, REMAINDER %s)', t, r, t, r)
FROM unnest(ARRAY['by_key', 'by_prefix']) t, generate_series(0, $PARTITIONS - 1) r \gexec
SQL

results=()
for table in plain by_key by_prefix; do
  echo "== $table: $ROWS rows"
  started=$(date +%s.%N)
  $PSQL -c "INSERT INTO $table SELECT '88.118.8.' || (i % 1000) || '/P-' || i, '88.118.8.' || (i % 1000) || '/P-' || i,
    '88.118.8.' || (i % 1000), 1, decode(repeat('ab', 300), 'hex'), 0, 0 FROM generate_series(0, $ROWS - 1) i"
  loaded=$(date +%s.%N)
  [ "$table" = by_prefix ] || $PSQL -c "CREATE INDEX ON $table (prefix, key)"
  indexed=$(date +%s.%N)
  $PSQL -c "ANALYZE $table"
  if [ "$table" = by_prefix ]; then
    lookup="SELECT values FROM $table WHERE prefix = '88.118.8.' || (:i % 1000) AND key = '88.118.8.' || (:i % 1000) || '/P-' || :i;"
  else
    lookup="SELECT values FROM $table WHERE key = '88.118.8.' || (:i % 1000) || '/P-' || :i;"
  fi
  printf '\\set i random(0, %s)\n%s\n' "$((ROWS - 1))" "$lookup" > "$OUT/$table.sql"
  # Warm the buffers, then measure: 8 clients, 2 threads, prepared statements.
  pgbench -n -h 127.0.0.1 -p "$IDRES_PG_PORT" -U postgres -M prepared -c 8 -j 2 -T 5 -f "$OUT/$table.sql" idres_partitions >/dev/null
  tps=$(pgbench -n -h 127.0.0.1 -p "$IDRES_PG_PORT" -U postgres -M prepared -c 8 -j 2 -T "$DURATION" -f "$OUT/$table.sql" idres_partitions | awk '/^tps/ {print $3}')
  # The same with the prepared statement's generic plan forced: no planning per execution, pruning at run time.
  generic=$(PGOPTIONS='-c plan_cache_mode=force_generic_plan' pgbench -n -h 127.0.0.1 -p "$IDRES_PG_PORT" -U postgres -M prepared -c 8 -j 2 -T "$DURATION" \
    -f "$OUT/$table.sql" idres_partitions | awk '/^tps/ {print $3}')
  listing=$($PSQL -At -c "EXPLAIN (ANALYZE, FORMAT JSON) SELECT key FROM $table WHERE prefix = '88.118.8.7' ORDER BY key LIMIT 100" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')
  vacuum_started=$(date +%s.%N)
  $PSQL -c "VACUUM (ANALYZE) $table"
  vacuumed=$(date +%s.%N)
  largest=$($PSQL -At -c "SELECT max(pg_relation_size(indexrelid)) / 1048576 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.relname = '$table' OR c.relname LIKE '${table}\_%'")
  results+=("$table $tps $generic $listing $(echo "$vacuumed - $vacuum_started" | bc) $largest $(echo "$loaded - $started" | bc) $(echo "$indexed - $loaded" | bc)")
  $PSQL -c "DROP TABLE $table"
done
python3 - "${results[@]}" <<'PY'
import sys
rows = [r.split() for r in sys.argv[1:]]
plain = float(rows[0][1])
print("| table | lookups/s (PostgreSQL's plan choice) | ratio to plain | lookups/s (generic plan forced) | ratio to plain | listing page (ms) | VACUUM ANALYZE (s) | largest index (MiB) | load (s) | extra index build (s) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, tps, generic, listing, vacuum, index, load, build in rows:
    print(f"| {name} | {float(tps):,.0f} | {float(tps) / plain:.2f} | {float(generic):,.0f} | {float(generic) / plain:.2f} | {float(listing):.2f} | {float(vacuum):.1f} | {index} | {float(load):.0f} | {float(build):.0f} |")
PY
