using EventKit.EntityFramework;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// A fresh database for one benchmark class and store: a SQLite file in WAL mode, or a new database on the
/// configured PostgreSQL server. The schema is the EF model's (the same tables and indexes a migration creates);
/// EventKit and the raw loop use the same tables.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _sqlitePath;

    private BenchDatabase(StoreKind store, string connectionString, string? sqlitePath, bool relaxed)
    {
        Store = store;
        ConnectionString = connectionString;
        Relaxed = relaxed;
        _sqlitePath = sqlitePath;
        Raw = store == StoreKind.Postgres ? new PostgresRawOutbox(connectionString) : new SqliteRawOutbox(connectionString, relaxed);
    }

    /// <summary>
    /// Commits do not wait for the disk (PostgreSQL <c>synchronous_commit=off</c> per session, SQLite
    /// <c>synchronous=OFF</c> per connection), for diagnostic runs that measure CPU rather than fsync. Never for figures
    /// that back a throughput claim.
    /// </summary>
    public bool Relaxed { get; }

    public StoreKind Store { get; }

    public string ConnectionString { get; }

    /// <summary>The hand-written ADO.NET outbox on the same database.</summary>
    public RawOutbox Raw { get; }

    public static async Task<BenchDatabase> CreateAsync(StoreKind store, bool relaxed = false)
    {
        BenchDatabase database;
        if (store == StoreKind.Sqlite)
        {
            var path = Path.Combine(Path.GetTempPath(), $"ekbench-{Guid.NewGuid():N}.db");
            database = new BenchDatabase(store, $"Data Source={path};Default Timeout=30;Pooling=True", path, relaxed);
        }
        else if (store == StoreKind.Postgres)
        {
            var server = BenchSettings.PostgresConnectionString
                ?? throw new InvalidOperationException($"PostgreSQL cases need {BenchSettings.PostgresVariable} (or {BenchSettings.TestPostgresVariable}).");
            var name = $"ekbench_{Guid.NewGuid():N}";
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await command.ExecuteNonQueryAsync();
            }

            // Enough pooled connections for 8 publishers, 4 processors and their settle/renew scopes.
            var builder = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true, MaxPoolSize = 100 };
            if (relaxed)
            {
                builder.Options = "-c synchronous_commit=off";
            }

            database = new BenchDatabase(store, builder.ConnectionString, null, relaxed);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(store), store, "Only database stores have a database.");
        }

        await using (var context = database.CreateContext())
        {
            await context.Database.EnsureCreatedAsync();
        }

        if (store == StoreKind.Sqlite)
        {
            await using var connection = new SqliteConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            await command.ExecuteNonQueryAsync();
        }

        return database;
    }

    /// <summary>Registers the application's context for this database and the EF store, as an application does.</summary>
    public void AddTo(IServiceCollection services, IEventKitBuilder eventKit, bool pooled = false)
    {
        AddContext(services, pooled);
        if (Store == StoreKind.Sqlite)
        {
            eventKit.UseEntityFramework<SqliteBenchDbContext>();
        }
        else
        {
            eventKit.UseEntityFramework<PostgresBenchDbContext>(o => o.UseNotifications = BenchSettings.Notify);
        }
    }

    /// <summary>Registers the application's context (<c>AddDbContext</c>, or <c>AddDbContextPool</c> when <paramref name="pooled"/>) and <see cref="BenchDbContext"/> for it.</summary>
    public void AddContext(IServiceCollection services, bool pooled = false)
    {
        if (Store == StoreKind.Sqlite)
        {
            if (pooled)
            {
                services.AddDbContextPool<SqliteBenchDbContext>(o => SqliteBusyTimeout.Apply(o, ConnectionString, Relaxed));
            }
            else
            {
                services.AddDbContext<SqliteBenchDbContext>(o => SqliteBusyTimeout.Apply(o, ConnectionString, Relaxed));
            }

            services.AddScoped<BenchDbContext>(sp => sp.GetRequiredService<SqliteBenchDbContext>());
        }
        else
        {
            if (pooled)
            {
                services.AddDbContextPool<PostgresBenchDbContext>(o => o.UseNpgsql(ConnectionString));
            }
            else
            {
                services.AddDbContext<PostgresBenchDbContext>(o => o.UseNpgsql(ConnectionString));
            }

            services.AddScoped<BenchDbContext>(sp => sp.GetRequiredService<PostgresBenchDbContext>());
        }
    }

    public BenchDbContext CreateContext() => Store == StoreKind.Sqlite
        ? new SqliteBenchDbContext((DbContextOptions<SqliteBenchDbContext>)SqliteBusyTimeout.Apply(new DbContextOptionsBuilder<SqliteBenchDbContext>(), ConnectionString, Relaxed).Options)
        : new PostgresBenchDbContext(new DbContextOptionsBuilder<PostgresBenchDbContext>().UseNpgsql(ConnectionString).Options);

    public async ValueTask DisposeAsync()
    {
        if (_sqlitePath is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { _sqlitePath, _sqlitePath + "-wal", _sqlitePath + "-shm" })
            {
                File.Delete(file);
            }

            return;
        }

        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(BenchSettings.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
