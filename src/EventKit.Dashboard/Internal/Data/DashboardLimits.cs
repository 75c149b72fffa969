namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// How many events the dashboard reads one by one: to count a confirmation's matches (beyond, "more than") and to
/// group one status by type and error (beyond, the newest only). Tests register smaller ones (the type is internal).
/// </summary>
internal sealed record DashboardLimits(int MaxCounted, int MaxGrouped)
{
    public static DashboardLimits Default { get; } = new(10_000, 10_000);
}
