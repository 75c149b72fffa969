using System.Text.Json;

namespace EventKit.Internal.Processing;

/// <summary>
/// The deserialized payload of the event a worker is running, kept across its handlers: handlers of one payload type
/// share one deserialization. One instance per worker, reset for each event.
/// </summary>
internal sealed class PayloadCache
{
    private string _json = string.Empty;
    private Type? _type;
    private object? _value;

    public void Reset(string json)
    {
        _json = json;
        _type = null;
        _value = null;
    }

    /// <summary>Returns the payload as <paramref name="handler"/>'s payload type; throws whatever deserialization throws.</summary>
    public object Get(HandlerDescriptor handler, JsonSerializerOptions options)
    {
        if (_type != handler.PayloadType)
        {
            _value = handler.Deserialize(_json, options) ?? throw new JsonException("The payload is JSON null.");
            _type = handler.PayloadType;
        }

        return _value!;
    }

    /// <summary>Drops the payload so a worker waiting for its next event does not keep it alive.</summary>
    public void Clear() => Reset(string.Empty);
}
