#!/bin/sh
# The standby: on first start, a base backup of the primary (streaming its WAL through slot standby1, with
# standby.signal and primary_conninfo written by -R); then the official image's entrypoint runs it as a hot standby.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  # A base backup cut short leaves files behind: start it again from nothing.
  rm -rf "${PGDATA:?}"/*
  until pg_isready -h postgres-primary -U replicator; do sleep 1; done
  export PGPASSWORD="$REPLICATION_PASSWORD"
  pg_basebackup -h postgres-primary -U replicator -D "$PGDATA" -R -X stream -S standby1
  chmod 700 "$PGDATA"
fi
exec docker-entrypoint.sh postgres -c hot_standby=on -c hot_standby_feedback=on
