using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditDetail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "detail",
                table: "audit_log",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "detail",
                table: "audit_log");
        }
    }
}
