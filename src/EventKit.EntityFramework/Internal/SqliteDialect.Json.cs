using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// The JSON parameters SQLite's statements read with <c>json_each</c> (ids, outcomes, log rows), with GUIDs and times
/// written as EF Core's SQLite provider stores them.
/// </summary>
internal sealed partial class SqliteDialect
{
    private static string IdsJson(IReadOnlyCollection<Guid> ids) =>
        JsonArray(ids, (ids.Count * 40) + 2, static (json, id) => WriteId(json, id));

    private static string OutcomesJson(IReadOnlyList<EventOutcome> outcomes) =>
        JsonArray(outcomes, outcomes.Count * 96, static (json, outcome) =>
        {
            var (availableAt, processedAt) = Times(outcome);
            json.WriteStartArray();
            WriteId(json, outcome.EventId);
            json.WriteStringValue(outcome.Status.ToStorageString());
            WriteTime(json, availableAt);
            WriteTime(json, processedAt);
            json.WriteStringValue(outcome.Error);
            json.WriteBooleanValue(outcome.Logs.Count > 0);
            json.WriteEndArray();
        });

    private static string LogsJson(IEnumerable<EventLogEntry> logs, int count) =>
        JsonArray(logs, Math.Max(count, 1) * 192, static (json, log) =>
        {
            json.WriteStartArray();
            WriteId(json, log.Id);
            WriteId(json, log.EventId);
            json.WriteStringValue(EventLogEntity.KindString(log.Kind));
            json.WriteStringValue(log.Handler);
            json.WriteStringValue(log.Actor);
            json.WriteStringValue(EventLogEntity.ResultString(log.Result));
            json.WriteStringValue(log.Error);
            json.WriteStringValue(log.Reason);
            json.WriteNumberValue(log.Attempt);
            json.WriteNumberValue(log.Duration.TotalMilliseconds);
            WriteTime(json, log.CreatedAt.UtcDateTime);
            json.WriteEndArray();
        });

    /// <summary>One JSON array of <paramref name="items"/>, each written by <paramref name="write"/>, as text.</summary>
    private static string JsonArray<T>(IEnumerable<T> items, int capacity, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(capacity);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var item in items)
            {
                write(json, item);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteId(Utf8JsonWriter json, Guid id)
    {
        Span<char> text = stackalloc char[36];
        id.TryFormat(text, out _);
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = char.ToUpperInvariant(text[i]);
        }

        json.WriteStringValue(text);
    }

    private static void WriteTime(Utf8JsonWriter json, DateTime? value)
    {
        if (value is not { } time)
        {
            json.WriteNullValue();
            return;
        }

        Span<char> text = stackalloc char[32];
        time.TryFormat(text, out var written, TimeFormat, CultureInfo.InvariantCulture);
        json.WriteStringValue(text[..written]);
    }
}
