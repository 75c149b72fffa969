using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace EventKit.EntityFramework.TestHost;

/// <summary>Lets <c>dotnet ef migrations add</c> build the context (no connection is opened).</summary>
public sealed class TestHostDbContextFactory : IDesignTimeDbContextFactory<TestHostDbContext>
{
    public TestHostDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<TestHostDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
