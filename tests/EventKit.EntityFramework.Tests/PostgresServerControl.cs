using System.Diagnostics;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Stops and restarts the test PostgreSQL server with <c>pg_ctl</c>, for outage tests. test.sh exports where it is
/// (EVENTKIT_TEST_POSTGRES_BIN, _DATA, _OSUSER); the port is in the data folder's postgresql.conf, so a plain start
/// brings it back on the same port. pg_ctl refuses to run as root: as root it runs as the OS user that owns the data.
/// </summary>
public static class PostgresServerControl
{
    public const string BinVariable = "EVENTKIT_TEST_POSTGRES_BIN";
    public const string DataVariable = "EVENTKIT_TEST_POSTGRES_DATA";
    public const string OsUserVariable = "EVENTKIT_TEST_POSTGRES_OSUSER";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string? Bin => Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } bin ? bin : null;

    private static string? Data => Environment.GetEnvironmentVariable(DataVariable) is { Length: > 0 } data ? data : null;

    /// <summary>Why the server cannot be stopped and started here, or <see langword="null"/>; under CI=true always null (the tests fail instead).</summary>
    public static string? SkipReason => (Bin is not null && Data is not null) || PostgresServer.Required
        ? null
        : $"The PostgreSQL server cannot be restarted: set {BinVariable} and {DataVariable} or run ./test.sh, which does.";

    /// <summary>Stops the server (fast shutdown: open sessions are ended) and waits until it is down.</summary>
    public static Task StopAsync() => PgCtlAsync("stop", "-m", "fast");

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public static Task StartAsync() => PgCtlAsync("start", "-l", Path.Combine(Folder(), "server.log"));

    private static string Folder() => Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Data!))!;

    private static async Task PgCtlAsync(string command, params string[] options)
    {
        if (Bin is null || Data is null)
        {
            throw new InvalidOperationException($"{BinVariable} and {DataVariable} must be set to stop and start the test server (./test.sh sets them; CI=true requires them).");
        }

        var pgCtl = Path.Combine(Bin, "pg_ctl");
        string[] arguments = ["-D", Data, "-w", "-t", ((int)Timeout.TotalSeconds).ToString(), .. options, command];
        var info = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", Environment.GetEnvironmentVariable(OsUserVariable) is { Length: > 0 } user ? user : "postgres", "--", pgCtl } }
            : new ProcessStartInfo(pgCtl);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // From the server's folder, which its OS user can read; with -l the server does not inherit our pipes.
        info.WorkingDirectory = Folder();
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(Timeout + TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(cancel.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {command} failed with exit code {process.ExitCode}: {await stdout}{await stderr}");
        }
    }
}
