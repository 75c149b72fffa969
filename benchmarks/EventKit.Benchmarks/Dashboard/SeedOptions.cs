using System.Globalization;

namespace EventKit.Benchmarks.Dashboard;

/// <summary>The arguments of <c>seed-dashboard</c> and <c>serve-dashboard</c>.</summary>
internal sealed record SeedOptions(string Store, string Database, long Events, int Days, int Seed, DateTimeOffset Now, string Urls)
{
    public const string Usage =
        "seed-dashboard --store sqlite|postgres --database <sqlite file | PostgreSQL connection string> [--events 1000000] [--days 20] [--seed 15]\n" +
        "serve-dashboard --store sqlite|postgres --database <…> [--urls http://127.0.0.1:5080]";

    public static SeedOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expected an option, found '{args[i]}'.\n{Usage}");
            }

            values[args[i][2..]] = args[i + 1];
        }

        string Get(string name, string? fallback = null) =>
            values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required.\n{Usage}");
        var store = Get("store");
        if (store is not ("sqlite" or "postgres"))
        {
            throw new ArgumentException($"--store must be sqlite or postgres, not '{store}'.");
        }

        return new SeedOptions(
            store,
            Get("database"),
            long.Parse(Get("events", "1000000"), CultureInfo.InvariantCulture),
            int.Parse(Get("days", "20"), CultureInfo.InvariantCulture),
            int.Parse(Get("seed", "15"), CultureInfo.InvariantCulture),
            TimeProvider.System.GetUtcNow(),
            Get("urls", "http://127.0.0.1:5080"));
    }
}
