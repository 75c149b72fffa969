using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="LongTableNamesTests"/> on PostgreSQL, whose 63-character limit the names meet.</summary>
public sealed class PostgresLongTableNamesTests() : LongTableNamesTests(new PostgresTestDatabase())
{
    protected override string ObjectNamesQuery =>
        "SELECT indexname FROM pg_indexes WHERE tablename IN (@events, @logs) " +
        "UNION ALL SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname IN (@events, @logs)";

    protected override IEnumerable<string> StoredNames(IModel model) =>
        EventKitEntityTypes(model).SelectMany(e => e.GetIndexes().Select(i => i.GetDatabaseName()!)
            .Concat(e.GetKeys().Select(k => k.GetName()!))
            .Concat(e.GetForeignKeys().Select(f => f.GetConstraintName()!)));
}
