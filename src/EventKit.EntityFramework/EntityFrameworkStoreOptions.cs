namespace EventKit.EntityFramework;

/// <summary>How the EF Core store works beyond the model mapping (<see cref="EventKitModelOptions"/>).</summary>
/// <remarks>Set with <c>UseEntityFramework&lt;TContext&gt;(o => …)</c>; the settings apply to every context EventKit uses in the application.</remarks>
public sealed class EntityFrameworkStoreOptions
{
    /// <summary>
    /// Gets or sets whether, on PostgreSQL, instances wake each other when they commit events, instead of waiting for
    /// their next poll (<see cref="EventKitOptions.PollingInterval"/>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// When on, once a <c>SaveChanges</c> that wrote events another instance could claim now has committed, EventKit
    /// sends <c>NOTIFY "eventkit.{schema}.{table}"</c> on a connection of its own (a clone of the context's), outside the
    /// application's transaction: PostgreSQL serializes the commits of transactions that notify. Commits close together
    /// share one notification. Inside a <c>TransactionScope</c>, or a transaction passed in with <c>UseTransaction</c>,
    /// whose commit EventKit cannot see, the <c>NOTIFY</c> goes in the transaction with EventKit's INSERT instead
    /// (delivered when it commits). Rolled-back transactions, events handed to this process's own processor, and
    /// delayed events send nothing. Every running processor keeps one extra connection open (a clone of
    /// the context's connection, so from the same connection string or data source) that runs <c>LISTEN</c> on the
    /// channel and wakes the processor on each notification. If that connection fails, the processor goes on polling,
    /// reconnects with exponential backoff (1 second, doubling, at most 30 seconds) and, once listening again, claims
    /// at once, since events may have been committed meanwhile.
    /// </para>
    /// <para>
    /// The channel is <c>eventkit.</c> plus the events table's schema (<c>public</c> when the model sets none) and name,
    /// for example <c>eventkit.public.events</c>: two applications with different events tables on one database do not
    /// wake each other. A channel longer than PostgreSQL's 63 bytes is cut, with <c>_</c> and 8 hex digits of the
    /// SHA-256 of the full name appended. Polling stays on either way: it finds what a lost notification missed.
    /// SQLite does not notify; there the setting does nothing (the processor of the process that commits is woken in
    /// process, as with any store).
    /// </para>
    /// </remarks>
    /// <value>Default <see langword="true"/>.</value>
    public bool UseNotifications { get; set; } = true;

    /// <summary>
    /// Gets or sets the most one statement of EventKit's INSERT sends (<see cref="Internal.StoreDialect.DefaultMaxStatementBytes"/>).
    /// Internal: only tests lower it, to prove with small payloads how a unit of work past it is written.
    /// </summary>
    internal long MaxStatementBytes { get; set; } = Internal.StoreDialect.DefaultMaxStatementBytes;
}
