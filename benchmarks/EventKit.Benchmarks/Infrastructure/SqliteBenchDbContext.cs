using Microsoft.EntityFrameworkCore;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>The SQLite flavour (its own type, so EF Core caches one model per provider).</summary>
public sealed class SqliteBenchDbContext(DbContextOptions<SqliteBenchDbContext> options) : BenchDbContext(options);
