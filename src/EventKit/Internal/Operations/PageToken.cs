using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EventKit.Internal.Operations;

/// <summary>
/// The continuation token of <see cref="IEventOperations.GetEventsAsync"/>: URL-safe base64 of a version byte, a hash
/// of the query (filter and order) it continues, and the position of the page's last event. The hash lets a token
/// given to another query fail at the call instead of silently skipping or repeating events.
/// </summary>
internal static class PageToken
{
    private const byte Version = 1;
    private const int HashLength = 8;
    private const int Length = 1 + HashLength + 8 + 16;

    public static string Create(EventFilter filter, EventOrder order, EventPosition position)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        Hash(filter, order, bytes.Slice(1, HashLength));
        BinaryPrimitives.WriteInt64BigEndian(bytes.Slice(1 + HashLength, 8), position.CreatedAt.UtcTicks);
        position.Id.TryWriteBytes(bytes[(1 + HashLength + 8)..], bigEndian: true, out _);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <exception cref="ArgumentException">The token is malformed or belongs to another query.</exception>
    public static EventPosition Parse(string token, EventFilter filter, EventOrder order, string paramName)
    {
        var bytes = Decode(token);
        if (bytes is null || bytes.Length != Length || bytes[0] != Version)
        {
            throw new ArgumentException("The continuation token is not one GetEventsAsync returned.", paramName);
        }

        Span<byte> hash = stackalloc byte[HashLength];
        Hash(filter, order, hash);
        if (!hash.SequenceEqual(bytes.AsSpan(1, HashLength)))
        {
            throw new ArgumentException("The continuation token belongs to another query: pass it back with the same filter and order as the page it came with.", paramName);
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1 + HashLength, 8));
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new ArgumentException("The continuation token is not one GetEventsAsync returned.", paramName);
        }

        return new EventPosition(new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes.AsSpan(1 + HashLength + 8), bigEndian: true));
    }

    private static byte[]? Decode(string token)
    {
        var text = token.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static void Hash(EventFilter filter, EventOrder order, Span<byte> destination)
    {
        // ToString spells every property set, with times in UTC round-trip form: equal filters give equal text.
        var text = string.Concat(filter.ToString(), "|", order.ToString());
        Span<byte> full = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), full);
        full[..destination.Length].CopyTo(destination);
    }
}
