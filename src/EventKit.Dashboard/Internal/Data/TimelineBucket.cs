namespace EventKit.Dashboard.Internal.Data;

/// <summary>Events created, completed, failed (an attempt that will be retried) and dead-lettered in one interval.</summary>
internal sealed record TimelineBucket(DateTimeOffset Start, long Created, long Completed, long Failed, long DeadLettered);
