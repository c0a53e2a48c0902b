using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TransformationsAndPersistence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "persistent",
                table: "epcis_object_states",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "transformation_id",
                table: "epcis_events",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_epcis_events_transformation_id",
                table: "epcis_events",
                column: "transformation_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_epcis_events_transformation_id",
                table: "epcis_events");

            migrationBuilder.DropColumn(
                name: "persistent",
                table: "epcis_object_states");

            migrationBuilder.DropColumn(
                name: "transformation_id",
                table: "epcis_events");
        }
    }
}
