namespace EventKit.Dashboard.Internal.Data;

/// <summary>Dead letters (or failed events) that share a type and the first line of their last error.</summary>
internal sealed record FailureGroup(string Type, string Error, long Count, DateTimeOffset Latest, Guid Example);
