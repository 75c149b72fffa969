using EventKit.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EventKit;

/// <summary>
/// Reports EventKit's health: <see cref="HealthStatus.Unhealthy"/> when the oldest runnable event has waited longer
/// than <see cref="EventKitHealthCheckOptions.MaxBacklogAge"/>, when this instance's processor loop has not completed
/// a cycle within <see cref="EventKitHealthCheckOptions.MaxProcessorSilence"/>, or when the store cannot be read;
/// <see cref="HealthStatus.Degraded"/> when dead letters exceed <see cref="EventKitHealthCheckOptions.DeadLetterThreshold"/>.
/// </summary>
/// <remarks>
/// Register it with <c>services.AddHealthChecks().AddEventKit()</c>
/// (<see cref="EventKitHealthChecksBuilderExtensions.AddEventKit"/>).
/// </remarks>
public sealed class EventKitHealthCheck : IHealthCheck
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ProcessorHeartbeat _heartbeat;
    private readonly EventKitOptions _kitOptions;
    private readonly EventKitHealthCheckOptions _options;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _createdAt;

    internal EventKitHealthCheck(IServiceScopeFactory scopes, ProcessorHeartbeat heartbeat, IOptions<EventKitOptions> kitOptions, EventKitHealthCheckOptions options, TimeProvider time)
    {
        _scopes = scopes;
        _heartbeat = heartbeat;
        _kitOptions = kitOptions.Value;
        _options = options;
        _time = time;
        _createdAt = time.GetUtcNow();
    }

    /// <summary>Checks the backlog, the processor loop and the dead letters.</summary>
    /// <param name="context">The health check context.</param>
    /// <param name="cancellationToken">A token to cancel the check.</param>
    /// <returns>The result, with <c>waiting</c>, <c>oldest_runnable_age_seconds</c>, <c>dead_letters</c> and <c>last_processor_cycle</c> in its data.</returns>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        EventBacklog backlog;
        try
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var store = scope.ServiceProvider.GetRequiredService<IEventStore>();
                // Index-supported counts only: a probe must stay cheap however large the table grows.
                backlog = await store.GetBacklogAsync(now, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, "The event store cannot be read.", ex);
        }

        var age = backlog.OldestRunnableAt is { } oldest && oldest < now ? now - oldest : TimeSpan.Zero;
        var lastCycle = _heartbeat.LastCycleAt;
        var data = new Dictionary<string, object>
        {
            ["waiting"] = backlog.Waiting,
            ["oldest_runnable_age_seconds"] = age.TotalSeconds,
            ["dead_letters"] = backlog.DeadLetters,
            ["last_processor_cycle"] = lastCycle?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "never",
        };

        var problems = new List<string>();
        if (age > _options.MaxBacklogAge)
        {
            problems.Add($"the oldest runnable event has waited {age} (MaxBacklogAge {_options.MaxBacklogAge})");
        }

        if (_kitOptions.EnableProcessing && now - (lastCycle ?? _createdAt) > _options.MaxProcessorSilence)
        {
            problems.Add($"the processor loop has not completed a cycle since {(lastCycle is { } at ? at.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "start-up")} (MaxProcessorSilence {_options.MaxProcessorSilence})");
        }

        if (problems.Count > 0)
        {
            return new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, "EventKit is not processing: " + string.Join("; ", problems) + ".", data: data);
        }

        return backlog.DeadLetters > _options.DeadLetterThreshold
            ? HealthCheckResult.Degraded($"{backlog.DeadLetters} dead-lettered events (DeadLetterThreshold {_options.DeadLetterThreshold}).", data: data)
            : HealthCheckResult.Healthy($"{backlog.Waiting} events waiting; the oldest runnable has waited {age}.", data);
    }
}
