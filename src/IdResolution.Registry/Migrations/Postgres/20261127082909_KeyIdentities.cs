using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class KeyIdentities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "identity",
                table: "access_keys",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "parent_key_id",
                table: "access_keys",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_identity",
                table: "access_keys",
                column: "identity",
                unique: true,
                filter: "parent_key_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_parent_key_id",
                table: "access_keys",
                column: "parent_key_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_access_keys_identity",
                table: "access_keys");

            migrationBuilder.DropIndex(
                name: "ix_access_keys_parent_key_id",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "identity",
                table: "access_keys");

            migrationBuilder.DropColumn(
                name: "parent_key_id",
                table: "access_keys");
        }
    }
}
