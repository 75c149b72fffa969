using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Workspace.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the context without starting the app (no connection is opened).
/// </summary>
public sealed class WorkspaceDbContextFactory : IDesignTimeDbContextFactory<WorkspaceDbContext>
{
    public WorkspaceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<WorkspaceDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
