using System.Diagnostics;
using System.Globalization;
using EventKit.Benchmarks.Infrastructure;
using EventKit.EntityFramework;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventKit.Benchmarks.CrossProcess;

/// <summary>The child processes of <see cref="WakeUpRunner"/>: a publisher (processing off) and a worker (processing only).</summary>
internal static class WakeUpChild
{
    public const string PublisherMode = "wakeup-publisher";

    public const string WorkerMode = "wakeup-worker";

    public static async Task<int> RunAsync(string mode, string[] args)
    {
        var connection = WakeUpRunner.Option(args, "--connection") ?? throw new ArgumentException("--connection is required");
        var notifications = bool.Parse(WakeUpRunner.Option(args, "--notifications") ?? "true");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDbContext<PostgresBenchDbContext>(o => o.UseNpgsql(connection));
        var polling = WakeUpRunner.Option(args, "--polling") is { } p ? TimeSpan.Parse(p, CultureInfo.InvariantCulture) : TimeSpan.FromSeconds(1);
        builder.Services.AddEventKit(o =>
            {
                o.EnableProcessing = mode == WorkerMode;
                o.PollingInterval = polling;
            })
            .UseEntityFramework<PostgresBenchDbContext>(o => o.UseNotifications = notifications)
            .AddHandler<WakeUpHandler>();

        using var host = builder.Build();
        await host.StartAsync();
        if (mode == WorkerMode)
        {
            Console.Out.WriteLine("ready");
            await Task.Run(() => Console.In.ReadToEnd());
        }
        else
        {
            Console.Out.WriteLine("ready");
            await PublishAsync(host.Services, int.Parse(WakeUpRunner.Option(args, "--events")!, CultureInfo.InvariantCulture), double.Parse(WakeUpRunner.Option(args, "--rate")!, CultureInfo.InvariantCulture));
            await Task.Run(() => Console.In.ReadToEnd());
        }

        await host.StopAsync();
        return 0;
    }

    /// <summary>One event per SaveChanges, <paramref name="rate"/> a second on a fixed schedule (not after each other).</summary>
    private static async Task PublishAsync(IServiceProvider services, int events, double rate)
    {
        // Workers listen once they started; a second's grace lets both connect before the first commit.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var start = Stopwatch.GetTimestamp();
        for (var seq = 0; seq < events; seq++)
        {
            var due = TimeSpan.FromSeconds(seq / rate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(OrderPlaced.Create(seq));
            await scope.ServiceProvider.GetRequiredService<PostgresBenchDbContext>().SaveChangesAsync();
            var committed = Stopwatch.GetTimestamp();
            Console.Out.WriteLine($"committed {seq} {committed}");
        }
    }

    /// <summary>Reports when it started, by the machine's monotonic clock.</summary>
    private sealed class WakeUpHandler : IEventHandler<OrderPlaced>
    {
        public Task HandleAsync(EventContext<OrderPlaced> context, CancellationToken cancellationToken)
        {
            Console.Out.WriteLine($"started {context.Payload.Seq} {Stopwatch.GetTimestamp()}");
            return Task.CompletedTask;
        }
    }
}
