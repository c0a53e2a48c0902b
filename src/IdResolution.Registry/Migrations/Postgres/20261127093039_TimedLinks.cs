using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
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
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "valid_from",
                table: "epcis_links",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "valid_to",
                table: "epcis_links",
                type: "bigint",
                nullable: false,
                defaultValue: 9223372036854775807L);
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
