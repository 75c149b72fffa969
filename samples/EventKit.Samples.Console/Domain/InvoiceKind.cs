using System.Text.Json.Serialization;

namespace Workspace.Domain;

// As a word in event payloads ("subscription"), not a number, so the events table reads well.
[JsonConverter(typeof(JsonStringEnumConverter<InvoiceKind>))]
public enum InvoiceKind
{
    /// <summary>The monthly plan: paying it extends the company's plan by a month.</summary>
    Subscription,

    OneOff,
}
