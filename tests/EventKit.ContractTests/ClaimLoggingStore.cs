using System.Text;

namespace EventKit.ContractTests;

/// <summary>Wraps the store under test and records in a <see cref="ClaimLog"/> what each claim returned; everything else passes through.</summary>
internal sealed class ClaimLoggingStore(IEventStore inner, ClaimLog log) : ForwardingEventStore(inner)
{
    public override async ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, IReadOnlyCollection<string>? excludedTypes = null, CancellationToken cancellationToken = default)
    {
        var claimed = await Inner.ClaimAsync(owner, maxCount, maxPayloadBytes, now, leaseDuration, excludedTypes, cancellationToken);
        log.Claims.Enqueue([.. claimed.Select(c => Encoding.UTF8.GetByteCount(c.Event.Payload))]);
        return claimed;
    }
}
