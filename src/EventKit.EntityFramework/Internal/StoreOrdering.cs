namespace EventKit.EntityFramework.Internal;

/// <summary>
/// The SQL of ordering per entity (<see cref="EventOrdering"/>), shared by the dialects' claims and the index that
/// serves them. The <c>ordering</c> column holds the enum's value: 0 not ordered, 1 ordered (a dead letter lets the
/// entity go on), 2 ordered strictly (a dead letter holds it back).
/// </summary>
internal static class StoreOrdering
{
    /// <summary>
    /// The rows that may hold back a later ordered event of their entity: ordered, and unfinished or dead-lettered. The
    /// filter of the partial index on (entity, entity_id, created_at, id); the claim's probe repeats its terms, so both
    /// PostgreSQL and SQLite see that the index covers it.
    /// </summary>
    public const string IndexFilter = "\"ordering\" <> 0 AND \"status\" IN ('pending', 'processing', 'failed', 'dead_letter')";

    /// <summary>
    /// The claim's condition that candidate <paramref name="row"/> is not held back: it is not ordered, or no ordered
    /// event of its entity published before it (created_at, then id) is pending (delayed or not), processing, failed,
    /// or dead-lettered strictly. One probe of the partial index per ordered candidate; within one claim this also
    /// takes at most one event per entity, since the first one taken is itself still pending in the statement's view.
    /// </summary>
    public static string NotHeldBack(string events, string row) =>
        $"({row}.\"ordering\" = 0 OR NOT EXISTS (SELECT 1 FROM {events} AS o WHERE o.\"entity\" = {row}.\"entity\" " +
        $"AND o.\"entity_id\" = {row}.\"entity_id\" AND (o.\"created_at\", o.\"id\") < ({row}.\"created_at\", {row}.\"id\") " +
        "AND o.\"ordering\" <> 0 AND o.\"status\" IN ('pending', 'processing', 'failed', 'dead_letter') " +
        "AND (o.\"status\" <> 'dead_letter' OR o.\"ordering\" = 2)))";
}
