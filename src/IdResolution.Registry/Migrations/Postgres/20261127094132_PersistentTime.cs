using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PersistentTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "persistent_at",
                table: "epcis_object_states",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "persistent_at",
                table: "epcis_object_states");
        }
    }
}
