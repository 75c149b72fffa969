namespace EventKit.EntityFramework.Internal.Publishing;

/// <summary>How the EF store writes published events (research prototype switch, issue #13; one path survives).</summary>
internal enum PublishPath
{
    /// <summary>Today's path: an <see cref="EventEntity"/> added to the change tracker; wake-ups through a ConditionalWeakTable.</summary>
    ChangeTracker,

    /// <summary>
    /// Design (a): still an <see cref="EventEntity"/> in the change tracker, written by EF Core's own batch, but the
    /// per-context bookkeeping lives in the context's own EF service scope (<see cref="ContextOutbox"/>: no weak table,
    /// no lock) and the interceptor reads the transaction without building the database facade's dependencies.
    /// </summary>
    LeanChangeTracker,

    /// <summary>
    /// Design (b): nothing tracked; events wait in <see cref="ContextOutbox"/> and EventKit writes them with its own
    /// INSERT inside the application's SaveChanges: appended to EF Core's first command of each attempt on PostgreSQL
    /// (one round trip, EF's transaction or the batch's implicit one), or executed just before it, inside a
    /// transaction EF is made to open, on SQLite.
    /// </summary>
    Statement,
}
