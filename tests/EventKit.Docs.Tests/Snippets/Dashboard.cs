using EventKit.Dashboard;
using Microsoft.AspNetCore.Builder;

namespace EventKit.Docs.Tests;

// README "Dashboard". Compiled here; tests/EventKit.Dashboard.Tests proves what it does.
public static class DashboardSnippets
{
    public static void Map(WebApplication app)
    {
        // <readme:dashboard>
        app.MapEventKitDashboard("/eventkit");                                // local requests only
        // app.MapEventKitDashboard("/eventkit").RequireAuthorization("ops"); // whoever the "ops" policy admits
        // app.MapEventKitDashboard("/eventkit-view", o => o.ReadOnly = true) // no actions
        //     .RequireAuthorization("viewers");
        // </readme:dashboard>
    }
}
