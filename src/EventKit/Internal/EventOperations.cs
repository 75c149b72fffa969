using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Internal;

internal sealed class EventOperations(IServiceScopeFactory scopes, EventSignal signal, TimeProvider time) : IEventOperations
{
    public Task<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) =>
        RunAsync((store, ct) => store.GetMetricsAsync(ct), cancellationToken);

    public Task<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        if (until < since)
        {
            throw new ArgumentOutOfRangeException(nameof(until), until, $"'until' must not be before 'since' ({since:O}).");
        }

        return RunAsync((store, ct) => store.CountByTypeAsync(since.ToUniversalTime(), until.ToUniversalTime(), ct), cancellationToken);
    }

    public Task<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        return RunAsync((store, ct) => store.GetDeadLettersAsync(type, limit, ct), cancellationToken);
    }

    public async Task<bool> RequeueAsync(Guid eventId, CancellationToken cancellationToken = default) =>
        await RequeueCoreAsync(eventId, null, cancellationToken).ConfigureAwait(false) > 0;

    public Task<int> RequeueDeadLettersAsync(string type, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        return RequeueCoreAsync(null, type, cancellationToken);
    }

    public Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default) =>
        RunAsync((store, ct) => store.GetEventAsync(eventId, ct), cancellationToken);

    private async Task<int> RequeueCoreAsync(Guid? eventId, string? type, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var count = await RunAsync((store, ct) => store.RequeueAsync(eventId, type, now, ct), cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            signal.Notify(now);
        }

        return count;
    }

    private async Task<T> RunAsync<T>(Func<IEventStore, CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await operation(scope.ServiceProvider.GetRequiredService<IEventStore>(), cancellationToken).ConfigureAwait(false);
        }
    }
}
