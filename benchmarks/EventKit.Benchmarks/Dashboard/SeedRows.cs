namespace EventKit.Benchmarks.Dashboard;

/// <summary>
/// The rows <c>seed-dashboard</c> writes, generated deterministically from a seed: events spread evenly over the last
/// <see cref="SeedOptions.Days"/> days (90 % completed, 5 % dead letters, 3 % failed waiting for a retry, 2 % delayed),
/// one handler-run log row per completed, dead-lettered or failed event, as a store that size looks in production.
/// </summary>
internal static class SeedRows
{
    /// <summary>The event columns, in the order of <see cref="Event.Values"/>.</summary>
    public static readonly string[] EventColumns =
    [
        "id", "type", "entity", "entity_id", "payload", "status", "attempts", "uncounted_attempts",
        "available_at", "created_at", "processed_at", "actor", "correlation_id", "last_error",
    ];

    /// <summary>The log columns, in the order of <see cref="Log.Values"/>.</summary>
    public static readonly string[] LogColumns =
    [
        "id", "event_id", "kind", "action", "performed_by", "result", "error", "attempt", "duration_ms", "created_at",
    ];

    public static readonly string[] Types =
    [
        "company.registered", "user.created", "project.created", "task.assigned", "task.completed",
        "document.uploaded", "invoice.created", "invoice.paid", "payment.failed", "billing_contact.changed",
    ];

    private static readonly string[] Entities = ["company", "user", "project", "task", "invoice"];

    private static readonly string[] Errors =
    [
        "System.Net.Http.HttpRequestException: Connection refused (smtp.internal:587)\n   at Workspace.Mail.SmtpSender.SendAsync()",
        "System.TimeoutException: The handler did not finish within 00:00:30.",
        "System.Text.Json.JsonException: The JSON value could not be converted to Workspace.Invoice. Path: $.total",
        "Workspace.Billing.PaymentGatewayException: 502 Bad Gateway from payments.example.com",
        "System.InvalidOperationException: Sequence contains no elements\n   at Workspace.Projects.ProjectHandler.HandleAsync()",
        "Npgsql.PostgresException: 40001: could not serialize access due to concurrent update",
    ];

    internal readonly record struct Event(object?[] Values);

    internal readonly record struct Log(object?[] Values);

    /// <summary>The events and their log rows, oldest first.</summary>
    public static IEnumerable<(Event Event, Log? Log)> Generate(SeedOptions options)
    {
        var random = new Random(options.Seed);
        var span = TimeSpan.FromDays(options.Days);
        var start = options.Now - span;
        var step = span.Ticks / options.Events;
        for (long i = 0; i < options.Events; i++)
        {
            var created = start.AddTicks((step * i) + random.NextInt64(step)).UtcDateTime;
            var typeIndex = (int)(Math.Pow(random.NextDouble(), 1.6) * Types.Length);
            var type = Types[typeIndex];
            var entity = Entities[typeIndex % Entities.Length];
            var entityId = random.Next(1, 100_001).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var id = Guid.CreateVersion7(new DateTimeOffset(created));
            var payload = $"{{\"id\":\"{entityId}\",\"name\":\"{type} #{i}\",\"amount\":{random.Next(1, 100_000)},\"note\":\"seeded\"}}";
            var roll = random.Next(100);
            var handler = type.Replace(".", "_", StringComparison.Ordinal) + "_handler";
            var duration = Math.Round(5 + (Math.Pow(random.NextDouble(), 4) * 2_000), 1);
            var processed = created.AddMilliseconds(20 + duration + random.Next(0, 200));
            string status;
            int attempts;
            DateTime available = created;
            DateTime? processedAt = null;
            string? error = null;
            if (roll < 90)
            {
                (status, attempts, processedAt) = ("completed", 1, processed);
            }
            else if (roll < 95)
            {
                (status, attempts, processedAt, error) = ("dead_letter", 5, processed, Errors[random.Next(Errors.Length)]);
            }
            else if (roll < 98)
            {
                (status, attempts, error) = ("failed", 2, Errors[random.Next(Errors.Length)]);
                // Waiting for a retry that is still ahead, so a processor running on the store leaves them be.
                available = options.Now.UtcDateTime.AddMinutes(random.Next(10, 180));
            }
            else
            {
                (status, attempts) = ("pending", 0);
                available = options.Now.UtcDateTime.AddHours(random.Next(1, 72));
            }

            var row = new Event([id, type, entity, entityId, payload, status, attempts, 0, available, created, processedAt, "seed", null, error]);
            Log? log = attempts == 0 ? null : new Log(
            [
                Guid.CreateVersion7(new DateTimeOffset(processed)), id, "handler_run", handler, null,
                status == "completed" ? "success" : "failure", error, attempts, duration, processed,
            ]);
            yield return (row, log);
        }
    }
}
