namespace EventKit.Dashboard.Internal.Data;

/// <summary>A processor that is alive: its id, host, start, last heartbeat, events in flight.</summary>
internal sealed record ProcessorInfo(string Id, string Host, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt, long InFlight);
