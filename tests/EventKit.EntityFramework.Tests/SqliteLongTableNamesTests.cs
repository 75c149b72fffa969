using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="LongTableNamesTests"/> on SQLite, which keeps the names of indexes only.</summary>
public sealed class SqliteLongTableNamesTests() : LongTableNamesTests(new SqliteTestDatabase())
{
    protected override string ObjectNamesQuery => "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ($events, $logs)";

    protected override IEnumerable<string> StoredNames(IModel model) =>
        EventKitEntityTypes(model).SelectMany(e => e.GetIndexes()).Select(i => i.GetDatabaseName()!);
}
