namespace EventKit.EntityFramework.Internal.Publishing;

/// <summary>Marks that <typeparamref name="TContext"/>'s options already get EventKit's outbox extension.</summary>
internal sealed class OutboxRegistration<TContext>;
