#!/bin/sh
# Runs once, on the primary's first start (official postgres image, /docker-entrypoint-initdb.d): a role the standby
# replicates with, a slot that keeps the WAL it has not received yet, and access for it.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$REPLICATION_PASSWORD';
SELECT pg_create_physical_replication_slot('standby1');
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
