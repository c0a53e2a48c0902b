using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdResolution.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LiveIdentities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_access_keys_identity",
                table: "access_keys");

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_identity",
                table: "access_keys",
                column: "identity",
                unique: true,
                filter: "parent_key_id IS NULL AND revoked_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_access_keys_identity",
                table: "access_keys");

            migrationBuilder.CreateIndex(
                name: "ix_access_keys_identity",
                table: "access_keys",
                column: "identity",
                unique: true,
                filter: "parent_key_id IS NULL");
        }
    }
}
