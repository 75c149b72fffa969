using OpenQA.Selenium.Chrome;

namespace EventKit.Dashboard.Tests.Browser;

/// <summary>
/// Headless Chromium and chromedriver from Debian's packages (<c>apt-get install chromium chromium-driver</c>; test.sh
/// installs them when it runs as root). Without them a browser test skips saying why; under <c>CI=true</c> it fails.
/// </summary>
public static class Chromium
{
    public const string Driver = "chromedriver";

    /// <summary>The browser: /usr/bin/chromium, or EVENTKIT_TEST_CHROMIUM.</summary>
    public static string Browser => Environment.GetEnvironmentVariable("EVENTKIT_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The folder of chromedriver: /usr/bin, or EVENTKIT_TEST_CHROMEDRIVER_DIR.</summary>
    public static string DriverDirectory => Environment.GetEnvironmentVariable("EVENTKIT_TEST_CHROMEDRIVER_DIR") is { Length: > 0 } path ? path : "/usr/bin";

    /// <summary>Why the browser tests cannot run here, or <see langword="null"/>.</summary>
    public static string? MissingReason =>
        File.Exists(Browser) && File.Exists(Path.Combine(DriverDirectory, Driver))
            ? null
            : $"Chromium ({Browser}) or chromedriver ({Path.Combine(DriverDirectory, Driver)}) is not installed: apt-get install chromium chromium-driver (./test.sh does it as root).";

    /// <summary>Skips the test without a browser, or fails it under CI=true.</summary>
    public static void RequireOrSkip()
    {
        if (MissingReason is not { } reason)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI=true requires the browser tests to run. " + reason);
        }

        Skip.If(true, reason);
    }

    /// <summary>A new headless browser with the Debian driver (Selenium Manager never runs: the driver path is explicit).</summary>
    public static ChromeDriver Start()
    {
        var service = ChromeDriverService.CreateDefaultService(DriverDirectory, Driver);
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US");
        options.SetLoggingPreference(OpenQA.Selenium.LogType.Browser, OpenQA.Selenium.LogLevel.All);
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
