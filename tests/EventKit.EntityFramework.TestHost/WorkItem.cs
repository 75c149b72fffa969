namespace EventKit.EntityFramework.TestHost;

/// <summary>The event the multi-process tests publish: one numbered unit of work.</summary>
[EventType("work.item", Entity = "work")]
public sealed record WorkItem([property: EntityId] int Number);
