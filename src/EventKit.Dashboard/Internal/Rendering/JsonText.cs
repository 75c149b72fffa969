using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EventKit.Dashboard.Internal.Rendering;

/// <summary>Pretty-prints a payload for display; the result is plain text, still to be HTML-encoded.</summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        // Show the text as the application wrote it: no \u escapes for non-ASCII letters or for < > & (the page
        // HTML-encodes it anyway).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The payload indented, or as stored when it is not valid JSON.</summary>
    public static string Pretty(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
            var buffer = new ArrayBufferWriter<byte>(json.Length + 64);
            using (var writer = new Utf8JsonWriter(buffer, Indented))
            {
                document.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
