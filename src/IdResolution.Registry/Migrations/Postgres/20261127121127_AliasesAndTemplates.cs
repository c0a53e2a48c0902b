using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
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
                    alias_key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    alias = table.Column<string>(type: "text", nullable: false),
                    target_key = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_handle_aliases", x => x.alias_key);
                });

            migrationBuilder.CreateTable(
                name: "metadata_templates",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<string>(type: "text", nullable: false),
                    enterprise_id = table.Column<long>(type: "bigint", nullable: true),
                    industry_category = table.Column<string>(type: "text", nullable: true),
                    definition = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    published_at = table.Column<long>(type: "bigint", nullable: true)
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
