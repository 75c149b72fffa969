namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="EntityFrameworkLoggingTests"/> on PostgreSQL, a schema per tenant.</summary>
public sealed class PostgresEntityFrameworkLoggingTests() : EntityFrameworkLoggingTests(new PostgresTestDatabase())
{
    protected override bool UseSchemas => true;

    protected override string ExpectedDialect => "PostgreSQL";
}
