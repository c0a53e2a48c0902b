using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
{
    /// <summary>
    /// Partitions the tables that grow with the registry so that each partition's table and indexes stay small enough
    /// to vacuum, reindex and back up one at a time at 10^9 rows (docs: deploy/OPERATIONS.md, figures:
    /// bench/RESULTS.md). Identifiers are hashed by key and eventIDs by eventID into <c>idres.partitions</c> partitions
    /// (default 16). Events, written once in capture order and read by row id, are split by ranges of that id
    /// (<c>idres.event_partition_rows</c> a range, default 10 million) so that old partitions go cold and frozen; the
    /// next range is made ahead by <c>idres_extend_event_partitions()</c>, which capture calls, and a default partition
    /// catches any row beyond. Both settings are read when this migration runs (a range holds at least 10,000 ids), e.g.
    /// <c>ALTER DATABASE idres SET idres.partitions = 64</c> before it. Existing rows are copied over.
    /// </summary>
    public partial class Partitioning : Migration
    {
        private const string Partitions = """
            DO $$
            DECLARE n int := coalesce(nullif(current_setting('idres.partitions', true), '')::int, 16);
            BEGIN
                IF n < 1 OR n > 1024 THEN
                    RAISE EXCEPTION 'idres.partitions must be between 1 and 1024, not %', n;
                END IF;
                FOR r IN 0 .. n - 1 LOOP
                    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS %s, REMAINDER %s)', '{0}_' || r, '{0}', n, r);
                END LOOP;
            END $$;
            """;

        private const string HandleColumns = "key, handle, prefix, version, values, created_at, updated_at";

        private const string EventColumns =
            "id, event_id, type, action, event_time, record_time, biz_step, disposition, read_point, biz_location, transformation_id, erroneous, capture_id, json";

        // The event table's indexes (as the model names them), made again on the new table and on the old one in Down.
        private static readonly (string Name, string Columns)[] EventIndexes =
        [
            ("event_time", "event_time"),
            ("transformation_id", "transformation_id"),
            ("biz_location_event_time", "biz_location, event_time"),
            ("biz_step_event_time", "biz_step, event_time"),
        ];

        private static string CreateEventIndexes =>
            string.Join('\n', EventIndexes.Select(i => $"CREATE INDEX ix_epcis_events_{i.Name} ON epcis_events ({i.Columns});"));

        // Creates the range partitions from the one holding the newest id (the sequence's or a stray row's in the
        // default partition) up to one range ahead, newest first, stopping at the first that exists. Creating one locks
        // the event table: the wait is bounded (lock_timeout) and a timeout leaves the range to a later capture, since
        // a whole range of ids is still ahead. A range whose rows already went to the default partition stays there
        // (creating it would fail; skipped with a warning; deploy/OPERATIONS.md says how to move them). Runs as the
        // migration's role (SECURITY DEFINER), which owns the table, whatever role the nodes use. The range size is
        // fixed into the function when the migration runs. Returns how many ranges were created.
        private const string ExtendEventPartitions = """
            DO $migration$
            DECLARE size bigint := coalesce(nullif(current_setting('idres.event_partition_rows', true), '')::bigint, 10000000);
            BEGIN
                -- A capture carries up to 10,000 events: a range must be larger to stay ahead of one.
                IF size < 10000 THEN
                    RAISE EXCEPTION 'idres.event_partition_rows must be at least 10000, not %', size;
                END IF;
                EXECUTE format($create$
                    CREATE FUNCTION idres_extend_event_partitions() RETURNS integer LANGUAGE plpgsql
                    SECURITY DEFINER SET search_path = %I, pg_temp SET lock_timeout = '200ms' AS $body$
                    DECLARE
                        size constant bigint := %s;
                        newest bigint := greatest(
                            coalesce(pg_sequence_last_value(pg_get_serial_sequence('epcis_events', 'id')::regclass), 0),
                            coalesce((SELECT max(id) FROM epcis_events_default), 0));
                        n bigint := (newest + size) / size;
                        created integer := 0;
                    BEGIN
                        WHILE n >= 0 AND to_regclass('epcis_events_' || n) IS NULL LOOP
                            BEGIN
                                EXECUTE format('CREATE TABLE epcis_events_%%s PARTITION OF epcis_events FOR VALUES FROM (%%s) TO (%%s)', n, n * size, (n + 1) * size);
                                created := created + 1;
                            EXCEPTION
                                WHEN duplicate_table THEN NULL; -- made meanwhile by another capture
                                WHEN lock_not_available THEN RETURN created; -- busy: a later capture tries again
                                WHEN check_violation THEN RAISE WARNING 'events %% to %% stay in epcis_events_default', n * size, (n + 1) * size - 1;
                            END;
                            n := n - 1;
                        END LOOP;
                        RETURN created;
                    END $body$
                    $create$, current_schema(), size);
            END $migration$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE handles RENAME TO handles_unpartitioned;
                ALTER TABLE handles_unpartitioned RENAME CONSTRAINT pk_handles TO pk_handles_unpartitioned;
                ALTER INDEX ix_handles_prefix_key RENAME TO ix_handles_unpartitioned_prefix_key;
                CREATE TABLE handles (
                    key text COLLATE "C" NOT NULL,
                    handle text NOT NULL,
                    prefix text COLLATE "C" NOT NULL,
                    version bigint NOT NULL,
                    values bytea NOT NULL,
                    created_at bigint NOT NULL,
                    updated_at bigint NOT NULL,
                    CONSTRAINT pk_handles PRIMARY KEY (key)
                ) PARTITION BY HASH (key);
                """);
            migrationBuilder.Sql(string.Format(Partitions, "handles"));
            migrationBuilder.Sql($"""
                INSERT INTO handles ({HandleColumns}) SELECT {HandleColumns} FROM handles_unpartitioned;
                DROP TABLE handles_unpartitioned;
                CREATE INDEX ix_handles_prefix_key ON handles (prefix, key);
                """);

            migrationBuilder.DropIndex(name: "ix_epcis_events_event_id", table: "epcis_events");
            migrationBuilder.Sql("""
                ALTER TABLE epcis_events RENAME TO epcis_events_unpartitioned;
                ALTER TABLE epcis_events_unpartitioned RENAME CONSTRAINT pk_epcis_events TO pk_epcis_events_unpartitioned;
                """);
            foreach (var (index, _) in EventIndexes)
            {
                migrationBuilder.Sql($"ALTER INDEX ix_epcis_events_{index} RENAME TO ix_epcis_events_unpartitioned_{index};");
            }

            migrationBuilder.Sql("""
                CREATE TABLE epcis_events (
                    id bigint GENERATED BY DEFAULT AS IDENTITY,
                    event_id text NOT NULL,
                    type text NOT NULL,
                    action text,
                    event_time bigint NOT NULL,
                    record_time bigint NOT NULL,
                    biz_step text,
                    disposition text,
                    read_point text,
                    biz_location text,
                    transformation_id text,
                    erroneous boolean NOT NULL,
                    capture_id bigint NOT NULL,
                    json text NOT NULL,
                    CONSTRAINT pk_epcis_events PRIMARY KEY (id)
                ) PARTITION BY RANGE (id);
                CREATE TABLE epcis_events_default PARTITION OF epcis_events DEFAULT;
                CREATE TABLE epcis_event_ids (
                    event_id text NOT NULL,
                    event_pk bigint NOT NULL,
                    CONSTRAINT pk_epcis_event_ids PRIMARY KEY (event_id)
                ) PARTITION BY HASH (event_id);
                """);
            migrationBuilder.Sql(string.Format(Partitions, "epcis_event_ids"));
            migrationBuilder.Sql(ExtendEventPartitions);
            migrationBuilder.Sql($"""
                SELECT setval(pg_get_serial_sequence('epcis_events', 'id'), max(id)) FROM epcis_events_unpartitioned HAVING max(id) IS NOT NULL;
                SELECT idres_extend_event_partitions();
                INSERT INTO epcis_events ({EventColumns}) SELECT {EventColumns} FROM epcis_events_unpartitioned;
                INSERT INTO epcis_event_ids (event_id, event_pk) SELECT event_id, id FROM epcis_events_unpartitioned;
                DROP TABLE epcis_events_unpartitioned;
                """);
            migrationBuilder.Sql(CreateEventIndexes);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                CREATE TABLE handles_plain (LIKE handles INCLUDING DEFAULTS);
                INSERT INTO handles_plain ({HandleColumns}) SELECT {HandleColumns} FROM handles;
                DROP TABLE handles;
                ALTER TABLE handles_plain RENAME TO handles;
                ALTER TABLE handles ADD CONSTRAINT pk_handles PRIMARY KEY (key);
                CREATE INDEX ix_handles_prefix_key ON handles (prefix, key);
                CREATE TABLE epcis_events_plain (LIKE epcis_events INCLUDING DEFAULTS INCLUDING IDENTITY);
                INSERT INTO epcis_events_plain ({EventColumns}) SELECT {EventColumns} FROM epcis_events;
                SELECT setval(pg_get_serial_sequence('epcis_events_plain', 'id'), coalesce(max(id), 0) + 1, false) FROM epcis_events;
                DROP TABLE epcis_events;
                DROP TABLE epcis_event_ids;
                DROP FUNCTION idres_extend_event_partitions();
                ALTER TABLE epcis_events_plain RENAME TO epcis_events;
                ALTER TABLE epcis_events ADD CONSTRAINT pk_epcis_events PRIMARY KEY (id);
                CREATE UNIQUE INDEX ix_epcis_events_event_id ON epcis_events (event_id);
                """);
            migrationBuilder.Sql(CreateEventIndexes);
        }
    }
}
