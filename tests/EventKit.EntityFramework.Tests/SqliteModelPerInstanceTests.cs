namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="ModelPerInstanceTests"/> on SQLite: a table prefix per tenant.</summary>
public sealed class SqliteModelPerInstanceTests() : ModelPerInstanceTests(new SqliteTestDatabase())
{
    protected override bool UseSchemas => false;
}
