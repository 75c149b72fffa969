using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard.Tests.Browser;

/// <summary>
/// samples/EventKit.Samples.Web without a browser: requests.http's dead-letter story as the file writes it ("the fix,
/// the requeue, and the event's log with its failure and its success"), and what the sample answers to bad input.
/// </summary>
[Collection(SampleApp.Collection)]
public sealed class SampleRequestsTests(SampleApp sample)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RequestsHttp_RequeueStepAsWritten_RequeuesTheDeadLetter_WhichThenCompletes()
    {
        var company = await sample.PostForIdAsync("/companies", new { name = "Initech", plan = "pro" });
        var user = await sample.PostForIdAsync($"/companies/{company}/users", new { email = "ana@initech.test", name = "Ana" });
        var invoice = await sample.PostForIdAsync($"/companies/{company}/invoices", new { number = "REQ-1", kind = "OneOff", total = 1200.00m, customerEmail = "ana@initech.test" });
        await sample.SendAsync(HttpMethod.Post, $"/invoices/{invoice}/payment-failures", new { reason = "card declined" });
        var deadLetter = await UntilAsync(() => DeadLetterOfAsync(invoice), "payment.failed is dead-lettered");
        await sample.SendAsync(HttpMethod.Put, $"/companies/{company}/billing-contact", new { email = "billing@initech.test", actor = user.ToString() });

        // "### ... and requeue the event": the request line of requests.http, its variable filled in.
        var line = RequestsHttpLine("/requeue").Replace("{{dead.response.body.$[0].id}}", deadLetter.ToString(), StringComparison.Ordinal);
        var requeue = await sample.Client.PostAsync(line["POST {{base}}".Length..].Trim(), content: null);

        requeue.StatusCode.Should().Be(HttpStatusCode.NoContent, line);
        var log = await UntilAsync(async () =>
        {
            var details = await sample.Client.GetFromJsonAsync<JsonElement>($"/events/{deadLetter}");
            return details.GetProperty("event").GetProperty("status").GetString() == "Completed" ? details.GetProperty("log") : (JsonElement?)null;
        }, "the requeued event completes");
        log.EnumerateArray().Select(e => e.GetProperty("result").GetString()).Should().Contain(["Failure", "Success"]);
    }

    [Theory]
    [InlineData("POST", "/companies", "{}", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/companies", "{\"name\":null,\"plan\":\"pro\"}", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/tasks/00000000-0000-0000-0000-000000000001/complete", "{\"actorId\":\"00000000-0000-0000-0000-000000000002\"}", HttpStatusCode.NotFound)]
    [InlineData("POST", "/invoices/00000000-0000-0000-0000-000000000001/pay", "", HttpStatusCode.NotFound)]
    [InlineData("POST", "/events/00000000-0000-0000-0000-000000000001/requeue?actor=&reason=x", "", HttpStatusCode.BadRequest)]
    public async Task BadInput_IsAProblemDetails4xx_NotA500(string method, string path, string body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await sample.Client.SendAsync(request);

        response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task InvoiceKindAsANumber_And_DuplicateInvoiceNumber_AreRefused()
    {
        var company = await sample.PostForIdAsync("/companies", new { name = "Hooli", plan = "pro" });
        var numeric = await sample.Client.PostAsJsonAsync($"/companies/{company}/invoices", new { number = "H-1", kind = 99, total = 1m, customerEmail = "a@hooli.test" });
        await sample.PostForIdAsync($"/companies/{company}/invoices", new { number = "H-2", kind = "OneOff", total = 1m, customerEmail = "a@hooli.test" });
        var duplicate = await sample.Client.PostAsJsonAsync($"/companies/{company}/invoices", new { number = "H-2", kind = "OneOff", total = 1m, customerEmail = "a@hooli.test" });

        numeric.StatusCode.Should().Be(HttpStatusCode.BadRequest, "kinds are words");
        duplicate.StatusCode.Should().Be(HttpStatusCode.Conflict, "invoice numbers are unique");
    }

    [Fact]
    public async Task PaymentFailure_ReportedForAPaidInvoice_ChangesNothing_AndPublishesNothing()
    {
        var company = await sample.PostForIdAsync("/companies", new { name = "Umbrella", plan = "pro" });
        var invoice = await sample.PostForIdAsync($"/companies/{company}/invoices", new { number = "U-1", kind = "OneOff", total = 10m, customerEmail = "a@umbrella.test" });
        await sample.SendAsync(HttpMethod.Post, $"/invoices/{invoice}/pay", new { });
        await sample.SendAsync(HttpMethod.Post, $"/invoices/{invoice}/payment-failures", new { reason = "late webhook" });

        (await StoredEventsOfAsync(invoice, "payment.failed")).Should().Be(0, "the invoice was paid: the late failure report publishes nothing");
        (await StoredEventsOfAsync(invoice, "invoice.paid")).Should().Be(1);
    }

    private async Task<int> StoredEventsOfAsync(Guid invoice, string type)
    {
        using var scope = sample.Services.CreateScope();
        var operations = scope.ServiceProvider.GetRequiredService<IEventOperations>();
        var page = await operations.GetEventsAsync(new EventFilter { Type = type, Entity = "invoice", EntityId = invoice.ToString() });
        return page.Events.Count;
    }

    private async Task<Guid?> DeadLetterOfAsync(Guid invoice)
    {
        var deadLetters = await sample.Client.GetFromJsonAsync<JsonElement>("/events/dead-letters?type=payment.failed");
        return deadLetters.EnumerateArray().Where(e => e.GetProperty("entityId").GetString() == invoice.ToString()).Select(e => (Guid?)e.GetProperty("id").GetGuid()).FirstOrDefault();
    }

    /// <summary>Polls what the sample's own processor does (a real host, real time) until it holds, for at most 30 s.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T?>> read, string what)
        where T : struct
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }
        }
    }

    private static string RequestsHttpLine(string contains) =>
        File.ReadLines(Path.Combine(SampleApp.RepositoryRoot(), "samples", "EventKit.Samples.Web", "requests.http"))
            .Single(l => Regex.IsMatch(l, "^(GET|POST|PUT) ") && l.Contains(contains, StringComparison.Ordinal));
}
