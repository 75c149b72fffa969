using System.Diagnostics;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.Packaging.Tests;

/// <summary>
/// The proof that the packages install: runs scripts/check-packages.sh, which packs EventKit,
/// EventKit.EntityFramework, EventKit.Testing and EventKit.Dashboard, checks their contents, and builds and runs a consumer that
/// references them by PackageReference outside the repository. Slow (a Release build and a restore):
/// exclude it with <c>--filter Category!=Packaging</c> when iterating.
/// </summary>
public sealed class PackagesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Fact]
    [Trait("Category", "Packaging")]
    public async Task CheckPackagesScript_PacksAndRunsAConsumer_Passes()
    {
        var script = Path.Combine(FindRepositoryRoot(), "scripts", "check-packages.sh");
        var start = new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // `dotnet test` sets MSBuild variables for its own build; inherited, they would steer the script's builds.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"scripts/check-packages.sh did not finish within {Timeout}.\n{await stdout}{await stderr}");
            }
        }

        var text = await stdout + await stderr;
        output.WriteLine(text);
        process.ExitCode.Should().Be(0, "the script prints why it failed:\n{0}", text);
        text.Should().Contain("check-packages: PASS");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No EventKit.sln above {AppContext.BaseDirectory}.");
    }
}
