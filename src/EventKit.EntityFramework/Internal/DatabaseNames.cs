using System.Security.Cryptography;
using System.Text;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// Names of the keys, indexes and foreign key that <c>AddEventKit()</c> gives its tables, always within PostgreSQL's
/// identifier limit. PostgreSQL cuts a longer name to 63 bytes without an error, so two names that differ only past
/// that point (<c>ix_{table}_status_processed_at</c> and <c>ix_{table}_created_at_type</c> for a 60-character table)
/// would become one and the second <c>CREATE INDEX</c> fail (42P07).
/// </summary>
internal static class DatabaseNames
{
    /// <summary>PostgreSQL's longest identifier (NAMEDATALEN − 1 bytes; the names are ASCII, so also characters).</summary>
    public const int MaxLength = 63;

    private const int HashLength = 8;

    /// <summary>
    /// <c>{prefix}{tables}{suffix}</c> when that fits in <see cref="MaxLength"/>; otherwise the prefix, as much of
    /// <paramref name="tables"/> as fits, <c>_</c>, the first 8 hex digits of the SHA-256 of the full name, and the
    /// suffix. Deterministic, so migrations keep the name; distinct, because the hash is of the full name.
    /// </summary>
    public static string For(string prefix, string tables, string suffix)
    {
        var name = string.Concat(prefix, tables, suffix);
        if (name.Length <= MaxLength)
        {
            return name;
        }

        var keep = MaxLength - prefix.Length - suffix.Length - HashLength - 1;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0, HashLength / 2);
        return $"{prefix}{tables.AsSpan(0, keep)}_{hash}{suffix}";
    }
}
