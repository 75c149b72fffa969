namespace EventKit.Dashboard.Internal;

/// <summary>A request the dashboard cannot serve because of what it asked for (a bad filter, token or field): answered with 400 and the message.</summary>
internal sealed class DashboardRequestException(string message) : Exception(message);
