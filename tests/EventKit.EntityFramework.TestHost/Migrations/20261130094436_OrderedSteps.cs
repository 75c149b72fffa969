using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EventKit.EntityFramework.TestHost.Migrations
{
    /// <inheritdoc />
    public partial class OrderedSteps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "step_order");

            migrationBuilder.CreateTable(
                name: "step_runs",
                columns: table => new
                {
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    item = table.Column<int>(type: "integer", nullable: false),
                    seq = table.Column<int>(type: "integer", nullable: false),
                    runs = table.Column<int>(type: "integer", nullable: false),
                    started = table.Column<long>(type: "bigint", nullable: false),
                    finished = table.Column<long>(type: "bigint", nullable: true),
                    instance = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_step_runs", x => x.event_id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "step_runs");

            migrationBuilder.DropSequence(
                name: "step_order");
        }
    }
}
