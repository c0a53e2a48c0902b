using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Accounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "enterprise_id",
                table: "prefixes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "enterprise_id",
                table: "access_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "expires_at",
                table: "access_keys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    key_id = table.Column<long>(type: "INTEGER", nullable: true),
                    enterprise_id = table.Column<long>(type: "INTEGER", nullable: true),
                    address = table.Column<string>(type: "TEXT", nullable: true),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    target = table.Column<string>(type: "TEXT", nullable: false),
                    prefix = table.Column<string>(type: "TEXT", nullable: true),
                    version_before = table.Column<long>(type: "INTEGER", nullable: true),
                    version_after = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "enterprises",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    credit_code = table.Column<string>(type: "TEXT", nullable: false),
                    contact = table.Column<string>(type: "TEXT", nullable: true),
                    email = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_enterprises", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_prefixes_enterprise_id",
                table: "prefixes",
                column: "enterprise_id");

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_enterprise_id",
                table: "access_keys",
                column: "enterprise_id");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_at",
                table: "audit_log",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_key_id_at",
                table: "audit_log",
                columns: new[] { "key_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_prefix_at",
                table: "audit_log",
                columns: new[] { "prefix", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_target_at",
                table: "audit_log",
                columns: new[] { "target", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_enterprises_credit_code",
                table: "enterprises",
                column: "credit_code",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_access_keys_enterprises_enterprise_id",
                table: "access_keys",
                column: "enterprise_id",
                principalTable: "enterprises",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_prefixes_enterprises_enterprise_id",
                table: "prefixes",
                column: "enterprise_id",
                principalTable: "enterprises",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_access_keys_enterprises_enterprise_id",
                table: "access_keys");

            migrationBuilder.DropForeignKey(
                name: "fk_prefixes_enterprises_enterprise_id",
                table: "prefixes");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "enterprises");

            migrationBuilder.DropIndex(
                name: "ix_prefixes_enterprise_id",
                table: "prefixes");

            migrationBuilder.DropIndex(
                name: "ix_access_keys_enterprise_id",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "enterprise_id",
                table: "prefixes");

            migrationBuilder.DropColumn(
                name: "enterprise_id",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "access_keys");
        }
    }
}
