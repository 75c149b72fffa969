using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Workspace.Data.Migrations
{
    /// <inheritdoc />
    public partial class Operations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "uncounted_attempts",
                table: "events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "event_logs",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "handler_run");

            migrationBuilder.AddColumn<string>(
                name: "reason",
                table: "event_logs",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "event_processors",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    host = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    in_flight = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_event_processors", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "event_type_pauses",
                columns: table => new
                {
                    type = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    paused_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    paused_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_event_type_pauses", x => x.type);
                });

            migrationBuilder.CreateIndex(
                name: "ix_events_entity_created_at",
                table: "events",
                columns: new[] { "entity", "entity_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_events_status_created_at",
                table: "events",
                columns: new[] { "status", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_events_type_created_at",
                table: "events",
                columns: new[] { "type", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_event_logs_created_at",
                table: "event_logs",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "event_processors");

            migrationBuilder.DropTable(
                name: "event_type_pauses");

            migrationBuilder.DropIndex(
                name: "ix_events_entity_created_at",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_status_created_at",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_type_created_at",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_event_logs_created_at",
                table: "event_logs");

            migrationBuilder.DropColumn(
                name: "uncounted_attempts",
                table: "events");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "event_logs");

            migrationBuilder.DropColumn(
                name: "reason",
                table: "event_logs");
        }
    }
}
