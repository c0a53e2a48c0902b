using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TimedLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "containment",
                table: "epcis_links",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "valid_from",
                table: "epcis_links",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "valid_to",
                table: "epcis_links",
                type: "INTEGER",
                nullable: false,
                defaultValue: 9223372036854775807L);

            // Links written before: aggregations and associations are containment, each valid from its event's time.
            migrationBuilder.Sql(
                "UPDATE epcis_links SET containment = (SELECT e.type IN ('AggregationEvent', 'AssociationEvent') FROM epcis_events e WHERE e.id = epcis_links.event_pk), "
                + "valid_from = (SELECT e.event_time FROM epcis_events e WHERE e.id = epcis_links.event_pk) "
                + "WHERE EXISTS (SELECT 1 FROM epcis_events e WHERE e.id = epcis_links.event_pk)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "containment",
                table: "epcis_links");

            migrationBuilder.DropColumn(
                name: "valid_from",
                table: "epcis_links");

            migrationBuilder.DropColumn(
                name: "valid_to",
                table: "epcis_links");
        }
    }
}
