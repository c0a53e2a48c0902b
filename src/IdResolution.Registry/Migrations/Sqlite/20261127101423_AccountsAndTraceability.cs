using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AccountsAndTraceability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "enterprise_id",
                table: "prefixes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "enterprise_id",
                table: "access_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "expires_at",
                table: "access_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "identity",
                table: "access_keys",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "parent_key_id",
                table: "access_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    key_id = table.Column<long>(type: "INTEGER", nullable: true),
                    enterprise_id = table.Column<long>(type: "INTEGER", nullable: true),
                    address = table.Column<string>(type: "TEXT", nullable: true),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    target = table.Column<string>(type: "TEXT", nullable: false),
                    prefix = table.Column<string>(type: "TEXT", nullable: true),
                    version_before = table.Column<long>(type: "INTEGER", nullable: true),
                    version_after = table.Column<long>(type: "INTEGER", nullable: true),
                    detail = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "enterprises",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    credit_code = table.Column<string>(type: "TEXT", nullable: false),
                    contact = table.Column<string>(type: "TEXT", nullable: true),
                    email = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_enterprises", x => x.id);
                });

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
                    transformation_id = table.Column<string>(type: "TEXT", nullable: true),
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
                    event_pk = table.Column<long>(type: "INTEGER", nullable: false),
                    valid_from = table.Column<long>(type: "INTEGER", nullable: false),
                    valid_to = table.Column<long>(type: "INTEGER", nullable: false, defaultValue: 9223372036854775807L),
                    containment = table.Column<bool>(type: "INTEGER", nullable: false)
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
                    persistent = table.Column<string>(type: "TEXT", nullable: true),
                    persistent_at = table.Column<long>(type: "INTEGER", nullable: true),
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
                name: "ix_prefixes_enterprise_id",
                table: "prefixes",
                column: "enterprise_id");

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_enterprise_id",
                table: "access_keys",
                column: "enterprise_id");

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_identity",
                table: "access_keys",
                column: "identity",
                unique: true,
                filter: "parent_key_id IS NULL AND revoked_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_parent_key_id",
                table: "access_keys",
                column: "parent_key_id");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_at",
                table: "audit_log",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_enterprise_id_at",
                table: "audit_log",
                columns: new[] { "enterprise_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_key_id_at",
                table: "audit_log",
                columns: new[] { "key_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_prefix_at",
                table: "audit_log",
                columns: new[] { "prefix", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_target_at",
                table: "audit_log",
                columns: new[] { "target", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_enterprises_credit_code",
                table: "enterprises",
                column: "credit_code",
                unique: true);

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
                name: "ix_epcis_events_transformation_id",
                table: "epcis_events",
                column: "transformation_id");

            migrationBuilder.CreateIndex(
                name: "ix_epcis_links_to_object_from_object",
                table: "epcis_links",
                columns: new[] { "to_object", "from_object" });

            migrationBuilder.AddForeignKey(
                name: "fk_access_keys_enterprises_enterprise_id",
                table: "access_keys",
                column: "enterprise_id",
                principalTable: "enterprises",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_prefixes_enterprises_enterprise_id",
                table: "prefixes",
                column: "enterprise_id",
                principalTable: "enterprises",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_access_keys_enterprises_enterprise_id",
                table: "access_keys");

            migrationBuilder.DropForeignKey(
                name: "fk_prefixes_enterprises_enterprise_id",
                table: "prefixes");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "enterprises");

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

            migrationBuilder.DropIndex(
                name: "ix_prefixes_enterprise_id",
                table: "prefixes");

            migrationBuilder.DropIndex(
                name: "ix_access_keys_enterprise_id",
                table: "access_keys");

            migrationBuilder.DropIndex(
                name: "ix_access_keys_identity",
                table: "access_keys");

            migrationBuilder.DropIndex(
                name: "ix_access_keys_parent_key_id",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "enterprise_id",
                table: "prefixes");

            migrationBuilder.DropColumn(
                name: "enterprise_id",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "identity",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "parent_key_id",
                table: "access_keys");
        }
    }
}
