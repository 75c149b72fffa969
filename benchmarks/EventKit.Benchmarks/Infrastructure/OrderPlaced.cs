namespace EventKit.Benchmarks.Infrastructure;

/// <summary>The benchmark payload: about 200 bytes of JSON. <see cref="Seq"/> lets handlers find the publish time.</summary>
[EventType("bench.order_placed", Entity = "order")]
public sealed record OrderPlaced(
    [property: EntityId] Guid OrderId,
    int Seq,
    string Customer,
    string Sku,
    int Quantity,
    decimal Amount,
    string Note)
{
    public const string EventType = "bench.order_placed";

    public const string Entity = "order";

    public static OrderPlaced Create(int seq) =>
        new(Guid.CreateVersion7(), seq, "customer-000042@example.com", "SKU-1234567-XL-BLUE", 3, 129.95m, "Leave the parcel at the side door, please. Gift wrap.");
}
