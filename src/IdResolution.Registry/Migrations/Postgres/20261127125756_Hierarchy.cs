using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    prefix = table.Column<string>(type: "text", nullable: false),
                    action = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<long>(type: "bigint", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    delivered_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_prefix_filings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "site_reports",
                columns: table => new
                {
                    site = table.Column<string>(type: "text", nullable: false),
                    prefix = table.Column<string>(type: "text", nullable: false),
                    day = table.Column<int>(type: "integer", nullable: false),
                    resolutions = table.Column<long>(type: "bigint", nullable: false),
                    registrations = table.Column<long>(type: "bigint", nullable: false),
                    updates = table.Column<long>(type: "bigint", nullable: false),
                    deletions = table.Column<long>(type: "bigint", nullable: false),
                    received_at = table.Column<long>(type: "bigint", nullable: false)
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
