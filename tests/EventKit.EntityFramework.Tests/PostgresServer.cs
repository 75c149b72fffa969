using Npgsql;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// The PostgreSQL server started by test.sh (EVENTKIT_TEST_POSTGRES). Without it, tests skip with the reason;
/// under CI=true they fail instead, because CI must run them.
/// </summary>
public static class PostgresServer
{
    public const string Variable = "EVENTKIT_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs : null;

    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? SkipReason => ConnectionString is not null || Required
        ? null
        : $"No PostgreSQL server: set {Variable} or run ./test.sh, which starts one.";

    /// <summary>The shared server's connection string; under CI=true without it, an exception (the test fails).</summary>
    public static string RequiredConnectionString =>
        ConnectionString ?? throw new InvalidOperationException($"CI=true but {Variable} is not set: ./test.sh must start PostgreSQL for CI.");

    /// <summary>Creates an empty database on the shared server and returns its connection string.</summary>
    public static Task<string> CreateDatabaseAsync() => CreateDatabaseAsync(RequiredConnectionString);

    /// <summary>Creates an empty database on the server <paramref name="server"/> connects to and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string server)
    {
        var name = $"ek_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync()"/> on the shared server.</summary>
    public static Task DropDatabaseAsync(string connectionString) => DropDatabaseAsync(connectionString, RequiredConnectionString);

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync(string)"/>, connecting through <paramref name="server"/>.</summary>
    public static async Task DropDatabaseAsync(string connectionString, string server)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = builder.Database!;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
