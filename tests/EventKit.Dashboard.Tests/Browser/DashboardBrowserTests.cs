using FluentAssertions;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace EventKit.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard of samples/EventKit.Samples.Web in a real headless Chromium: the operator's path from the overview to
/// a requeued dead letter that completes, and a hostile payload that stays text. Screenshots of the overview and of an
/// event go to artifacts/screenshots/, and to docs/ (the README's images) when EVENTKIT_UPDATE_SCREENSHOTS=1.
/// </summary>
[Trait("Category", "Browser")]
[Collection(SampleApp.Collection)]
public sealed class DashboardBrowserTests(SampleApp sample)
{
    private const string HostileName = "<script>window.__xss=1</script>\"><img src=x onerror=\"window.__xss=2\">";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Operator_OpensOverview_FiltersEvents_RequeuesADeadLetter_AndSeesItComplete()
    {
        Chromium.RequireOrSkip();
        using var driver = Chromium.Start();
        var acme = await DeadLetterStoryAsync(sample, "Acme Corp", "INV-1002");
        await DeadLetterStoryAsync(sample, "Globex", "INV-2001");

        // Overview: the auto-refresh shows the dead letters once the processor has dead-lettered them (the other test
        // of this class may have added one).
        driver.Navigate().GoToUrl(sample.Dashboard);
        Wait(driver).Until(d => int.Parse(d.FindElement(By.CssSelector("[data-status=dead_letter]")).Text, System.Globalization.CultureInfo.InvariantCulture) >= 2);
        driver.FindElement(By.CssSelector("svg.columns")).Displayed.Should().BeTrue();
        Screenshot(driver, "dashboard-overview.png");

        // Events: filter by type and status.
        driver.FindElement(By.LinkText("Events")).Click();
        driver.FindElement(By.CssSelector("#filter-status option[value=dead_letter]")).Click();
        driver.FindElement(By.Id("filter-type")).SendKeys("payment.failed");
        driver.FindElement(By.Id("filter-entity")).SendKeys("invoice");
        driver.FindElement(By.Id("filter-entity-id")).SendKeys(acme.Invoice.ToString());
        driver.FindElement(By.Id("filter-apply")).Click();
        Wait(driver).Until(d => d.Url.Contains("type=payment.failed", StringComparison.Ordinal));
        driver.FindElements(By.CssSelector("#events tbody tr")).Should().ContainSingle()
            .Which.FindElement(By.CssSelector(".badge")).Text.Should().Be("dead_letter");

        // Dead letters: open Acme's (its group's error names the company), fix the data, requeue.
        driver.FindElement(By.PartialLinkText("Dead letters")).Click();
        var row = driver.FindElements(By.CssSelector("#groups-dead_letter tbody tr")).Single(r => r.Text.Contains("Acme Corp", StringComparison.Ordinal));
        row.FindElement(By.CssSelector("a.latest")).Click();
        Wait(driver).Until(d => d.FindElement(By.CssSelector("h1 .badge")).Text == "dead_letter");
        await sample.SendAsync(HttpMethod.Put, $"/companies/{acme.Company}/billing-contact", new { email = "billing@acme.test", actor = "ops" });
        driver.FindElement(By.CssSelector("form[action$='/requeue'] input[name=reason]")).SendKeys("billing contact set");
        driver.FindElement(By.CssSelector("form[action$='/requeue'] button")).Click();
        driver.FindElement(By.CssSelector(".notice")).Text.Should().StartWith("Requeued");

        // The processor runs it again: reload until the page says completed.
        Wait(driver).Until(d =>
        {
            d.Navigate().Refresh();
            return d.FindElement(By.CssSelector("h1 .badge")).Text == "completed";
        });
        driver.FindElements(By.CssSelector("ol.timeline li.result-failure")).Should().NotBeEmpty();
        driver.FindElements(By.CssSelector("ol.timeline li.result-success")).Should().NotBeEmpty();
        driver.FindElement(By.CssSelector("ol.timeline li.operator[data-kind=requeue] .reason")).Text.Should().Be("billing contact set");
        Screenshot(driver, "dashboard-event.png");
    }

    [SkippableFact]
    public async Task HostilePayload_RendersAsText_AndNoScriptRuns()
    {
        Chromium.RequireOrSkip();
        using var driver = Chromium.Start();
        await DeadLetterStoryAsync(sample, HostileName, "INV-666", reason: HostileName);

        driver.Navigate().GoToUrl(sample.Dashboard + "/dead-letters");
        var row = Wait(driver).Until(d =>
        {
            d.Navigate().Refresh();
            return d.FindElements(By.CssSelector("#groups-dead_letter tbody tr")).SingleOrDefault(r => r.Text.Contains(HostileName, StringComparison.Ordinal));
        });
        row.FindElement(By.CssSelector(".error-line")).Text.Should().Contain("Company '" + HostileName + "' has no billing contact");
        row.FindElement(By.CssSelector("a.latest")).Click();
        Wait(driver).Until(d => d.FindElements(By.CssSelector("pre.payload")).Count == 1);

        driver.FindElement(By.CssSelector("pre.payload")).Text.Should().Contain("<script>window.__xss=1</script>").And.Contain("<img src=x onerror=");
        driver.FindElement(By.CssSelector("ol.timeline details.error summary")).Text.Should().Contain(HostileName);
        driver.FindElements(By.TagName("img")).Should().BeEmpty();
        driver.ExecuteScript("return typeof window.__xss").Should().Be("undefined", "neither the script nor the onerror handler ran");
        driver.ExecuteScript("return document.querySelectorAll('script:not([src])').length").Should().Be(0L);

        // Our own script runs (CSP allows 'self'): the overview's auto-refresh toggle is wired.
        driver.Navigate().GoToUrl(sample.Dashboard);
        Wait(driver).Until(d => d.FindElement(By.Id("refresh-status")).Text.StartsWith("Updated", StringComparison.Ordinal));
        driver.ExecuteScript("return typeof window.__xss").Should().Be("undefined");
    }

    /// <summary>A company without a billing contact whose invoice payment fails: payment.failed is dead-lettered.</summary>
    private static async Task<(Guid Company, Guid Invoice)> DeadLetterStoryAsync(SampleApp sample, string company, string invoiceNumber, string reason = "card declined")
    {
        var companyId = await sample.PostForIdAsync("/companies", new { name = company, plan = "pro" });
        await sample.PostForIdAsync($"/companies/{companyId}/users", new { email = $"ana@{invoiceNumber.ToLowerInvariant()}.test", name = "Ana" });
        var invoice = await sample.PostForIdAsync($"/companies/{companyId}/invoices", new { number = invoiceNumber, kind = "OneOff", total = 1200.00m, customerEmail = "ana@acme.test" });
        await sample.SendAsync(HttpMethod.Post, $"/invoices/{invoice}/payment-failures", new { reason });
        return (companyId, invoice);
    }

    private static WebDriverWait Wait(IWebDriver driver)
    {
        var wait = new WebDriverWait(driver, Patience);
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait;
    }

    private static void Screenshot(ChromeDriver driver, string name)
    {
        var root = SampleApp.RepositoryRoot();
        var png = driver.GetScreenshot().AsByteArray;
        var artifacts = Directory.CreateDirectory(Path.Combine(root, "artifacts", "screenshots")).FullName;
        File.WriteAllBytes(Path.Combine(artifacts, name), png);
        if (Environment.GetEnvironmentVariable("EVENTKIT_UPDATE_SCREENSHOTS") == "1")
        {
            File.WriteAllBytes(Path.Combine(root, "docs", name), png);
        }
    }
}
