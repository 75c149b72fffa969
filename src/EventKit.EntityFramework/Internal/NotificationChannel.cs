namespace EventKit.EntityFramework.Internal;

/// <summary>
/// The PostgreSQL notification channel of an events table: <c>eventkit.{schema}.{table}</c>, with <c>public</c> for a
/// table mapped without a schema. Two models with different events tables on one database therefore never wake each
/// other's processors, and every application that shares one table shares the channel. A name longer than PostgreSQL's
/// 63-byte limit (which <c>NOTIFY</c> refuses) is shortened as <see cref="DatabaseNames.For"/> shortens index names: cut,
/// plus <c>_</c> and 8 hex digits of the SHA-256 of the full name.
/// </summary>
internal static class NotificationChannel
{
    /// <summary>The schema PostgreSQL resolves an unqualified table to by default.</summary>
    public const string DefaultSchema = "public";

    public static string For(string? schema, string table) =>
        DatabaseNames.For("eventkit.", string.Concat(schema ?? DefaultSchema, ".", table), string.Empty);
}
