using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Tests that load every core with several processes and short leases, so no other test of this assembly may run
/// beside them: xUnit runs this collection after the parallel ones, one test at a time. It cannot keep other test
/// assemblies off the shared server, so a test that stops a server uses a <see cref="PrivatePostgresServer"/> instead.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusiveServerCollection
{
    public const string Name = "PostgreSQL server, exclusive";
}
