namespace EventKit.Benchmarks.Infrastructure;

/// <summary>The business row a per-request publish commits together with its event.</summary>
public sealed class Order
{
    public Guid Id { get; set; }

    public string Customer { get; set; } = "";

    public decimal Amount { get; set; }

    public DateTime CreatedAt { get; set; }
}
