using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Tests that must have the PostgreSQL server to themselves: one stops the server, the others load every core with
/// several processes and short leases. xUnit runs this collection after the parallel ones, one test at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusiveServerCollection
{
    public const string Name = "PostgreSQL server, exclusive";
}
