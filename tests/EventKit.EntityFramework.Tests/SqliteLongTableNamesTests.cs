using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="LongTableNamesTests"/> on SQLite, which keeps the names of indexes only.</summary>
public sealed class SqliteLongTableNamesTests() : LongTableNamesTests(new SqliteTestDatabase())
{
    protected override async Task<IReadOnlyCollection<string>> ReadObjectNamesAsync(DbConnection connection, string eventsTable, string logsTable)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ($events, $logs)";
        AddParameter(command, "$events", eventsTable);
        AddParameter(command, "$logs", logsTable);
        return await ReadNamesAsync(command);
    }

    protected override IEnumerable<string> StoredNames(IModel model) =>
        EventKitEntityTypes(model).SelectMany(e => e.GetIndexes()).Select(i => i.GetDatabaseName()!);
}
