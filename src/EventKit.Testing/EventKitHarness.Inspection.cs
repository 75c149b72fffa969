using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace EventKit.Testing;

/// <summary>The harness's inspection and assertions: what was published and run, and what is still waiting.</summary>
public sealed partial class EventKitHarness
{
    /// <summary>Gets the payloads of the published events of <typeparamref name="TPayload"/>'s event type, in publish order.</summary>
    /// <typeparam name="TPayload">A payload type marked with <see cref="EventTypeAttribute"/>.</typeparam>
    /// <returns>The payloads.</returns>
    /// <exception cref="ArgumentException"><typeparamref name="TPayload"/> has no valid <see cref="EventTypeAttribute"/>.</exception>
    public IReadOnlyList<TPayload> Published<TPayload>()
    {
        var type = typeof(TPayload).GetCustomAttribute<EventTypeAttribute>(inherit: false)?.Name
            ?? throw new ArgumentException($"Type '{typeof(TPayload).FullName}' has no [EventType(\"…\")] attribute, so its event type name is unknown.", nameof(TPayload));
        return [.. PublishedEvents.Where(e => e.Type == type).Select(e => JsonSerializer.Deserialize<TPayload>(e.Payload, _serializerOptions)!)];
    }

    /// <summary>Gets the handler runs for one event, in order.</summary>
    /// <param name="eventId">The event id.</param>
    /// <returns>The runs.</returns>
    public IReadOnlyList<HandlerRun> HandlerRunsFor(Guid eventId) => [.. _recorder.Runs.Where(r => r.EventId == eventId)];

    /// <summary>Gets the current status of an event.</summary>
    /// <param name="eventId">The event id.</param>
    /// <returns>The status.</returns>
    /// <exception cref="EventKitHarnessException">No such event exists.</exception>
    public async Task<EventStatus> GetStatusAsync(Guid eventId) => (await GetEventAsync(eventId).ConfigureAwait(false)).Event.Status;

    /// <summary>Gets an event with its handler log.</summary>
    /// <param name="eventId">The event id.</param>
    /// <returns>The event and its log.</returns>
    /// <exception cref="EventKitHarnessException">No such event exists.</exception>
    public async Task<EventDetails> GetEventAsync(Guid eventId) =>
        await Operations.GetEventAsync(eventId).ConfigureAwait(false)
        ?? throw new EventKitHarnessException($"Event {eventId} does not exist (was it published through this harness's services, and committed?).");

    /// <summary>Gets the dead-lettered events, most recent first.</summary>
    /// <returns>The dead letters, with their last error.</returns>
    public Task<IReadOnlyList<EventRecord>> GetDeadLettersAsync() => Operations.GetDeadLettersAsync(limit: 10_000);

    /// <summary>
    /// Runs retention now, as the cleanup timer would (<see cref="IEventOperations.RunRetentionAsync"/>): ages are measured
    /// by <see cref="Time"/>, so advance it past <see cref="EventKitOptions.Retention"/> first.
    /// </summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>What was deleted.</returns>
    public Task<RetentionResult> RunRetentionAsync(CancellationToken cancellationToken = default) => Operations.RunRetentionAsync(cancellationToken);

    /// <summary>Throws unless the event is completed, describing its status, attempts and handler failures.</summary>
    /// <param name="eventId">The event id.</param>
    /// <returns>A task that completes if the event is completed.</returns>
    /// <exception cref="EventKitHarnessException">The event is not completed.</exception>
    public async Task EnsureCompletedAsync(Guid eventId)
    {
        var details = await GetEventAsync(eventId).ConfigureAwait(false);
        if (details.Event.Status != EventStatus.Completed)
        {
            throw new EventKitHarnessException($"Expected event {eventId} to be completed.{Environment.NewLine}{await DescribeAsync([details]).ConfigureAwait(false)}");
        }
    }

    /// <summary>
    /// Throws unless every event published through the harness is completed, describing the others; an event the test
    /// published itself (<see cref="RunInScopeAsync"/>, <see cref="PublishAsync{TPayload}(TPayload, PublishOptions?)"/>)
    /// that was never stored (its unit of work not saved) counts as not completed. Events a failed handler run published
    /// and its unit of work discarded do not.
    /// </summary>
    /// <returns>A task that completes if all are completed.</returns>
    /// <exception cref="EventKitHarnessException">Some events are not completed.</exception>
    public async Task EnsureAllCompletedAsync()
    {
        var notCompleted = new List<EventDetails>();
        var neverStored = new List<EventRecord>();
        foreach (var record in PublishedEvents)
        {
            var details = await Operations.GetEventAsync(record.Id).ConfigureAwait(false);
            if (details is not null && details.Event.Status != EventStatus.Completed)
            {
                notCompleted.Add(details);
            }
            else if (details is null && _recorder.PublishedByTest(record.Id))
            {
                // Published by the test's own unit of work and never stored: it was not saved (a failed handler run's
                // publications are discarded on purpose, so only the test's count).
                neverStored.Add(record);
            }
        }

        if (notCompleted.Count > 0 || neverStored.Count > 0)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"Expected every published event to be completed; {notCompleted.Count + neverStored.Count} of {PublishedEvents.Count} are not.");
            text.Append(Environment.NewLine).Append(await DescribeAsync(notCompleted).ConfigureAwait(false));
            foreach (var record in neverStored)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {record.Type} {record.Id}: published but never stored (was its unit of work saved? SaveChanges commits it){Environment.NewLine}");
            }

            throw new EventKitHarnessException(text.ToString());
        }
    }

    /// <summary>
    /// Each event's status, attempts and handler failures; for one that is due but did not run, why it waits (its type
    /// is paused, or it is held back behind an earlier ordered event of its entity).
    /// </summary>
    private async Task<string> DescribeAsync(IReadOnlyCollection<EventDetails> events)
    {
        var now = Time.GetUtcNow();
        var paused = events.Any(d => d.Event.Status is EventStatus.Pending or EventStatus.Failed && d.Event.AvailableAt <= now)
            ? (await Operations.GetPausesAsync().ConfigureAwait(false)).Select(p => p.Type).ToHashSet(StringComparer.Ordinal)
            : [];
        var text = new StringBuilder();
        foreach (var details in events)
        {
            var e = details.Event;
            text.Append(CultureInfo.InvariantCulture, $"- {e.Type} {e.Id}: {e.Status.ToStorageString()} after {e.Attempts} attempt(s)");
            if (e.Status is EventStatus.Pending or EventStatus.Failed or EventStatus.Processing)
            {
                text.Append(CultureInfo.InvariantCulture, $", due {e.AvailableAt:O}");
            }

            if (e.Status is EventStatus.Pending or EventStatus.Failed && e.AvailableAt <= now)
            {
                text.Append(paused.Contains(e.Type)
                    ? " (its type is paused: IEventOperations.ResumeAsync)"
                    : e.Ordering != EventOrdering.None ? " (held back behind an earlier ordered event of its entity that is not finished)" : string.Empty);
            }

            text.AppendLine();
            var failures = HandlerRunsFor(e.Id).Where(r => !r.Succeeded).ToList();
            foreach (var run in failures)
            {
                text.Append("    ").AppendLine(run.ToString());
            }

            if (e.LastError is { } error && failures.Count == 0)
            {
                text.Append("    last error: ").AppendLine(error);
            }
        }

        return text.ToString();
    }
}
