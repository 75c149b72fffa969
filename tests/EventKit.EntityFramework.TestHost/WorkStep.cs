namespace EventKit.EntityFramework.TestHost;

/// <summary>The ordered event the multi-process ordering test publishes: step <see cref="Seq"/> of work item <see cref="Item"/>.</summary>
[EventType("work.step", Entity = "work", Ordered = true)]
public sealed record WorkStep([property: EntityId] int Item, int Seq);
