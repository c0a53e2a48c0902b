using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MetadataTemplates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "metadata_templates");
        }
    }
}
