namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="EntityFrameworkLoggingTests"/> on SQLite, which has no schemas.</summary>
public sealed class SqliteEntityFrameworkLoggingTests() : EntityFrameworkLoggingTests(new SqliteTestDatabase())
{
    protected override bool UseSchemas => false;

    protected override string ExpectedDialect => "SQLite";
}
