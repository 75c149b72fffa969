using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EventKit.Internal;

/// <summary>
/// Version 7 GUIDs that also increase within one millisecond in this process (RFC 9562, method 2: the random part
/// of an id made in the same millisecond as the previous one is that one's plus one). <see cref="Guid.CreateVersion7()"/>
/// is random within a millisecond, so ids of events published in the same millisecond would sort in no particular
/// order; these sort in publish order, which is the tie-break of the claim order (available_at, id). Ids sort the
/// same way as <see cref="Guid"/> values, as PostgreSQL <c>uuid</c>s and as upper-case text.
/// </summary>
internal static class SequentialGuid
{
    private static readonly UInt128 TailLimit = UInt128.One << 74;
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds = long.MinValue;
    private static UInt128 _lastTail;

    public static Guid Next(DateTimeOffset time)
    {
        var milliseconds = Math.Max(0, time.ToUnixTimeMilliseconds());

        // A new millisecond needs fresh random bits: drawn before the lock (the system's random source is the slow part),
        // so concurrent publishers hold it only for a comparison and an increment.
        var fresh = milliseconds > Volatile.Read(ref _lastMilliseconds) ? RandomTail() : (UInt128?)null;
        UInt128 tail;
        lock (Gate)
        {
            if (milliseconds > _lastMilliseconds)
            {
                _lastMilliseconds = milliseconds;
                _lastTail = fresh ?? RandomTail();
            }
            else if (++_lastTail >= TailLimit)
            {
                // 2^73 ids in one millisecond: move on to the next one (never happens in practice).
                _lastMilliseconds++;
                _lastTail = RandomTail();
            }

            milliseconds = _lastMilliseconds;
            tail = _lastTail;
        }

        // 48 bits of milliseconds, version 7, 12 bits of the tail, variant 10, 62 bits of the tail.
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, ((ulong)milliseconds << 16) | 0x7000UL | (ulong)(tail >> 62));
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], 0x8000_0000_0000_0000UL | (ulong)(tail & ((UInt128.One << 62) - 1)));
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>73 random bits: the top bit of the 74 stays clear so increments have room.</summary>
    private static UInt128 RandomTail()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return BinaryPrimitives.ReadUInt128BigEndian(random) & ((UInt128.One << 73) - 1);
    }
}
