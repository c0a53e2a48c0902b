using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Partitioning : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_epcis_events_event_id",
                table: "epcis_events");

            migrationBuilder.CreateTable(
                name: "epcis_event_ids",
                columns: table => new
                {
                    event_id = table.Column<string>(type: "TEXT", nullable: false),
                    event_pk = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_epcis_event_ids", x => x.event_id);
                });

            migrationBuilder.Sql("INSERT INTO epcis_event_ids (event_id, event_pk) SELECT event_id, id FROM epcis_events;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "epcis_event_ids");

            migrationBuilder.CreateIndex(
                name: "ix_epcis_events_event_id",
                table: "epcis_events",
                column: "event_id",
                unique: true);
        }
    }
}
