namespace EventKit.Internal.Processing;

/// <summary>A payload could not be deserialized to a handler's payload type; the event is dead-lettered at once.</summary>
internal sealed class EventPayloadException(string message, Exception innerException) : Exception(message, innerException);
