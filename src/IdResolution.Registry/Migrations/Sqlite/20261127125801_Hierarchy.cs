using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Hierarchy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "prefix_filings",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    prefix = table.Column<string>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    delivered_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_prefix_filings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "site_reports",
                columns: table => new
                {
                    site = table.Column<string>(type: "TEXT", nullable: false),
                    prefix = table.Column<string>(type: "TEXT", nullable: false),
                    day = table.Column<int>(type: "INTEGER", nullable: false),
                    resolutions = table.Column<long>(type: "INTEGER", nullable: false),
                    registrations = table.Column<long>(type: "INTEGER", nullable: false),
                    updates = table.Column<long>(type: "INTEGER", nullable: false),
                    deletions = table.Column<long>(type: "INTEGER", nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_site_reports", x => new { x.site, x.prefix, x.day });
                });

            migrationBuilder.CreateIndex(
                name: "ix_prefix_filings_pending",
                table: "prefix_filings",
                column: "id",
                filter: "delivered_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_site_reports_day",
                table: "site_reports",
                column: "day");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "prefix_filings");

            migrationBuilder.DropTable(
                name: "site_reports");
        }
    }
}
