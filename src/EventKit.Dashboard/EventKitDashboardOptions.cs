namespace EventKit.Dashboard;

/// <summary>Options of one dashboard mounted with <see cref="EventKitDashboardEndpointRouteBuilderExtensions.MapEventKitDashboard"/>.</summary>
public sealed class EventKitDashboardOptions
{
    /// <summary>
    /// Gets or sets whether the dashboard only shows: every action (requeue, replay, cancel, bulk requeue and purge, pause and resume) is hidden from
    /// the pages and refused with status 403 when posted anyway.
    /// </summary>
    /// <value>Default <see langword="false"/>: operators can act.</value>
    /// <remarks>
    /// To give viewers and operators different rights, mount the dashboard twice with different policies, e.g.
    /// <c>/eventkit</c> for operators and <c>/eventkit-view</c>, read-only, for everyone else.
    /// </remarks>
    public bool ReadOnly { get; set; }
}
