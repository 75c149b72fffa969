using System.Diagnostics;
using FluentAssertions;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>Starting, starting together, stopping and disposing test host processes, for the multi-process tests.</summary>
internal static class TestHosts
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    public static async Task<TestHostProcess[]> StartAsync(TestHostDatabase database, string[] names, Func<string, string[]> options)
    {
        var hosts = new List<TestHostProcess>(names.Length);
        try
        {
            foreach (var name in names)
            {
                hosts.Add(TestHostProcess.Start(name, database.ConnectionString, options(name)));
            }
        }
        catch
        {
            // Dispose kills: no process outlives a failed start.
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            throw;
        }

        return [.. hosts];
    }

    /// <summary>Waits until every host is warmed up, then starts them together; returns a stopwatch started at "go".</summary>
    public static async Task<Stopwatch> GoAsync(TestHostProcess[] hosts)
    {
        await Task.WhenAll(hosts.Select(h => h.WaitForLineAsync("ready")));
        var elapsed = Stopwatch.StartNew();
        await Task.WhenAll(hosts.Select(h => h.SendAsync("go")));
        await Task.WhenAll(hosts.Select(h => h.WaitForLineAsync("started")));
        return elapsed;
    }

    /// <summary>Stops the hosts gracefully (stdin closed) and asserts a clean exit: no EventKit loop faulted.</summary>
    public static async Task StopAllAsync(TestHostProcess[] hosts)
    {
        var exitCodes = await Task.WhenAll(hosts.Select(h => h.StopAsync(ExitTimeout)));
        for (var i = 0; i < hosts.Length; i++)
        {
            exitCodes[i].Should().Be(0, $"test host '{hosts[i].Name}' must stop cleanly; its stderr:\n{hosts[i].Errors}");
        }
    }

    public static async Task DisposeAllAsync(TestHostProcess[] hosts, ITestOutputHelper output)
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
            if (host.Errors.Length > 0)
            {
                var errors = host.Errors;
                output.WriteLine($"stderr of '{host.Name}' (last 4,000 characters):\n{errors[Math.Max(0, errors.Length - 4000)..]}");
            }
        }
    }
}
