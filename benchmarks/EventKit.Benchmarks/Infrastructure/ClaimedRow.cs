namespace EventKit.Benchmarks.Infrastructure;

/// <summary>What the raw loop reads back from its claim: what a hand-written dispatcher needs.</summary>
public readonly record struct ClaimedRow(Guid Id, string Type, string Payload, int Attempts);
