using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PrefixStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "prefix_statistics",
                columns: table => new
                {
                    prefix = table.Column<string>(type: "text", nullable: false),
                    day = table.Column<int>(type: "integer", nullable: false),
                    resolutions = table.Column<long>(type: "bigint", nullable: false),
                    registrations = table.Column<long>(type: "bigint", nullable: false),
                    updates = table.Column<long>(type: "bigint", nullable: false),
                    deletions = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_prefix_statistics", x => new { x.prefix, x.day });
                });

            migrationBuilder.CreateIndex(
                name: "ix_prefix_statistics_day",
                table: "prefix_statistics",
                column: "day");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "prefix_statistics");
        }
    }
}
