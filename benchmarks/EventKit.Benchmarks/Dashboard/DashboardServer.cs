using EventKit.Benchmarks.Infrastructure;
using EventKit.Dashboard;
using EventKit.EntityFramework;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventKit.Benchmarks.Dashboard;

/// <summary>
/// <c>serve-dashboard</c>: an ASP.NET Core application on a store <c>seed-dashboard</c> filled, with EventKit's
/// processor running (heartbeats, claims of what becomes due) and the dashboard at <c>/eventkit</c>, local-only, as the
/// web sample mounts it. Measure with <c>curl -s -o /dev/null -w '%{time_total}' http://127.0.0.1:5080/eventkit/…</c>.
/// </summary>
internal static class DashboardServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = SeedOptions.Parse(args);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var eventKit = builder.Services.AddEventKit();
        if (options.Store == "sqlite")
        {
            builder.Services.AddDbContext<SqliteBenchDbContext>(o => SqliteBusyTimeout.Apply(o, $"Data Source={options.Database};Default Timeout=30"));
            eventKit.UseEntityFramework<SqliteBenchDbContext>();
        }
        else
        {
            builder.Services.AddDbContext<PostgresBenchDbContext>(o => o.UseNpgsql(options.Database));
            eventKit.UseEntityFramework<PostgresBenchDbContext>();
        }

        var app = builder.Build();
        app.MapEventKitDashboard("/eventkit");
        Console.WriteLine($"serve-dashboard: {options.Store} store, dashboard at {options.Urls}/eventkit");
        await app.RunAsync();
        return 0;
    }
}
