using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AliasesAndTemplates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "handle_aliases",
                columns: table => new
                {
                    alias_key = table.Column<string>(type: "TEXT", nullable: false),
                    alias = table.Column<string>(type: "TEXT", nullable: false),
                    target_key = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_handle_aliases", x => x.alias_key);
                });

            migrationBuilder.CreateTable(
                name: "metadata_templates",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<string>(type: "TEXT", nullable: false),
                    enterprise_id = table.Column<long>(type: "INTEGER", nullable: true),
                    industry_category = table.Column<string>(type: "TEXT", nullable: true),
                    definition = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    published_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_metadata_templates", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_handle_aliases_target_key_alias",
                table: "handle_aliases",
                columns: new[] { "target_key", "alias" });

            migrationBuilder.CreateIndex(
                name: "ix_metadata_templates_enterprise_id",
                table: "metadata_templates",
                column: "enterprise_id");

            migrationBuilder.CreateIndex(
                name: "ix_metadata_templates_name_version",
                table: "metadata_templates",
                columns: new[] { "name", "version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "handle_aliases");

            migrationBuilder.DropTable(
                name: "metadata_templates");
        }
    }
}
