using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EventKit.EntityFramework.TestHost.Migrations
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
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AlterColumn<string>(
                name: "result",
                table: "event_logs",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(10)",
                oldMaxLength: 10);

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "event_logs",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "handler_run");

            migrationBuilder.AddColumn<string>(
                name: "reason",
                table: "event_logs",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "event_processors",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    host = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    started_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_seen_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    in_flight = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_event_processors", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "event_type_pauses",
                columns: table => new
                {
                    type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    paused_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    paused_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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

            migrationBuilder.AlterColumn<string>(
                name: "result",
                table: "event_logs",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(20)",
                oldMaxLength: 20);
        }
    }
}
