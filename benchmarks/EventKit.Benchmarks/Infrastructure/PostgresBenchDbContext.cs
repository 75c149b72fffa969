using Microsoft.EntityFrameworkCore;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>The PostgreSQL flavour (its own type, so EF Core caches one model per provider).</summary>
public sealed class PostgresBenchDbContext(DbContextOptions<PostgresBenchDbContext> options) : BenchDbContext(options);
