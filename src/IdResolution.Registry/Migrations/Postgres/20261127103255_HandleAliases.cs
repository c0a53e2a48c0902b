using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class HandleAliases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "handle_aliases",
                columns: table => new
                {
                    alias_key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    alias = table.Column<string>(type: "text", nullable: false),
                    target_key = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_handle_aliases", x => x.alias_key);
                });

            migrationBuilder.CreateIndex(
                name: "ix_handle_aliases_target_key_alias",
                table: "handle_aliases",
                columns: new[] { "target_key", "alias" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "handle_aliases");
        }
    }
}
