using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Workspace.Data.Migrations
{
    /// <inheritdoc />
    public partial class OrderingPerEntity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ordering",
                table: "events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "ix_events_ordered",
                table: "events",
                columns: new[] { "entity", "entity_id", "created_at", "id" },
                filter: "\"ordering\" <> 0 AND \"status\" IN ('pending', 'processing', 'failed', 'dead_letter')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_events_ordered",
                table: "events");

            migrationBuilder.DropColumn(
                name: "ordering",
                table: "events");
        }
    }
}
