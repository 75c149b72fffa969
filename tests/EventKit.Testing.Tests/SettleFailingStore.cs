using EventKit.ContractTests;

namespace EventKit.Testing.Tests;

/// <summary>A store that stores and claims events but cannot record outcomes, as a database that broke mid-drain would.</summary>
public sealed class SettleFailingStore(IEventStore inner) : ForwardingEventStore(inner)
{
    public override ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default) =>
        throw new TimeoutException("The database did not answer.");
}
