using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Traceability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "epcis_captures",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    events = table.Column<int>(type: "INTEGER", nullable: false),
                    duplicates = table.Column<int>(type: "INTEGER", nullable: false),
                    key_id = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_epcis_captures", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "epcis_event_objects",
                columns: table => new
                {
                    event_pk = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    role = table.Column<byte>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_epcis_event_objects", x => new { x.event_pk, x.name, x.role });
                });

            migrationBuilder.CreateTable(
                name: "epcis_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    event_id = table.Column<string>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", nullable: true),
                    event_time = table.Column<long>(type: "INTEGER", nullable: false),
                    record_time = table.Column<long>(type: "INTEGER", nullable: false),
                    biz_step = table.Column<string>(type: "TEXT", nullable: true),
                    disposition = table.Column<string>(type: "TEXT", nullable: true),
                    read_point = table.Column<string>(type: "TEXT", nullable: true),
                    biz_location = table.Column<string>(type: "TEXT", nullable: true),
                    erroneous = table.Column<bool>(type: "INTEGER", nullable: false),
                    capture_id = table.Column<long>(type: "INTEGER", nullable: false),
                    json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_epcis_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "epcis_links",
                columns: table => new
                {
                    from_object = table.Column<string>(type: "TEXT", nullable: false),
                    to_object = table.Column<string>(type: "TEXT", nullable: false),
                    event_pk = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_epcis_links", x => new { x.from_object, x.to_object, x.event_pk });
                });

            migrationBuilder.CreateTable(
                name: "epcis_object_states",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    disposition = table.Column<string>(type: "TEXT", nullable: true),
                    disposition_at = table.Column<long>(type: "INTEGER", nullable: true),
                    location = table.Column<string>(type: "TEXT", nullable: true),
                    location_at = table.Column<long>(type: "INTEGER", nullable: true),
                    custodian = table.Column<string>(type: "TEXT", nullable: true),
                    custodian_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_epcis_object_states", x => x.name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_epcis_event_objects_name_role_event_pk",
                table: "epcis_event_objects",
                columns: new[] { "name", "role", "event_pk" });

            migrationBuilder.CreateIndex(
                name: "ix_epcis_events_biz_location_event_time",
                table: "epcis_events",
                columns: new[] { "biz_location", "event_time" });

            migrationBuilder.CreateIndex(
                name: "ix_epcis_events_biz_step_event_time",
                table: "epcis_events",
                columns: new[] { "biz_step", "event_time" });

            migrationBuilder.CreateIndex(
                name: "ix_epcis_events_event_id",
                table: "epcis_events",
                column: "event_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_epcis_events_event_time",
                table: "epcis_events",
                column: "event_time");

            migrationBuilder.CreateIndex(
                name: "ix_epcis_links_to_object_from_object",
                table: "epcis_links",
                columns: new[] { "to_object", "from_object" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "epcis_captures");

            migrationBuilder.DropTable(
                name: "epcis_event_objects");

            migrationBuilder.DropTable(
                name: "epcis_events");

            migrationBuilder.DropTable(
                name: "epcis_links");

            migrationBuilder.DropTable(
                name: "epcis_object_states");
        }
    }
}
