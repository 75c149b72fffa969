using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster that belongs to one test, for tests that stop and start the server (an outage).
/// The server test.sh starts is shared by every test assembly, and <c>dotnet test</c> runs the assemblies in
/// parallel, so stopping that one fails tests elsewhere; this one nobody else knows about.
/// </summary>
/// <remarks>
/// Made with <c>initdb</c> in a fresh temp folder from the binaries in EVENTKIT_TEST_POSTGRES_BIN, started with
/// <c>pg_ctl</c> on 127.0.0.1 on a free port (never 5432–5434 nor the shared server's), its socket in that folder,
/// fsync and synchronous_commit off. initdb and pg_ctl refuse to run as root: as root they run as the OS user in
/// EVENTKIT_TEST_POSTGRES_OSUSER (default postgres), which owns the folder. Disposing stops the server (immediate
/// shutdown) and deletes the folder.
/// </remarks>
public sealed class PrivatePostgresServer : IAsyncDisposable
{
    public const string BinVariable = "EVENTKIT_TEST_POSTGRES_BIN";
    public const string OsUserVariable = "EVENTKIT_TEST_POSTGRES_OSUSER";

    private const string SharedPortVariable = "EVENTKIT_TEST_POSTGRES_PORT";
    private const string DatabaseName = "eventkit_tests";
    private const int PortTries = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly string? _osUser;
    private readonly string _folder;

    private PrivatePostgresServer(string bin, string? osUser, string folder)
    {
        _bin = bin;
        _osUser = osUser;
        _folder = folder;
    }

    /// <summary>Why no private server can be made here, or <see langword="null"/>; under CI=true always null (the tests fail instead).</summary>
    public static string? SkipReason => Bin is not null || PostgresServer.Required
        ? null
        : $"No PostgreSQL binaries to start a private server with: set {BinVariable} (the folder with initdb and pg_ctl) or run ./test.sh, which does.";

    /// <summary>The port the server listens on; <see cref="StartAsync"/> after <see cref="StopAsync"/> keeps it.</summary>
    public int Port { get; private set; }

    /// <summary>Npgsql connection string to the database eventkit_tests on this server.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = DatabaseName,
        Pooling = true,
    }.ConnectionString;

    /// <summary>The server's log (both runs when it was stopped and started again).</summary>
    public string LogPath => Path.Combine(_folder, "server.log");

    private static string? Bin => Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } bin ? bin : null;

    private string DataFolder => Path.Combine(_folder, "data");

    /// <summary>Creates the cluster, starts it on a free port and creates the database eventkit_tests.</summary>
    /// <exception cref="InvalidOperationException">EVENTKIT_TEST_POSTGRES_BIN is not set (under CI=true), or initdb, pg_ctl or createdb failed.</exception>
    public static async Task<PrivatePostgresServer> CreateAsync()
    {
        var bin = Bin ?? throw new InvalidOperationException($"CI=true but {BinVariable} is not set: ./test.sh must export it so outage tests can start their own PostgreSQL server.");
        var osUser = Environment.IsPrivilegedProcess
            ? Environment.GetEnvironmentVariable(OsUserVariable) is { Length: > 0 } user ? user : "postgres"
            : null;

        var server = new PrivatePostgresServer(bin, osUser, CreateFolder());
        try
        {
            if (osUser is not null)
            {
                await RunCheckedAsync(new ProcessStartInfo("chown") { ArgumentList = { $"{osUser}:", server._folder } }, server._folder);
            }

            // C locale + UTF8, as test.sh; no fsync of the new files, the cluster lives for one test.
            await RunCheckedAsync(
                server.AsOsUser(Path.Combine(bin, "initdb"), "-D", server.DataFolder, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"),
                server._folder);
            await server.StartOnFreePortAsync();
            await server.CreateDatabaseAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown: open sessions are ended) and waits until it is down.</summary>
    public async Task StopAsync()
    {
        var result = await PgCtlAsync("stop", "-m", "fast");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl stop failed with exit code {result.ExitCode}: {result.Output}");
        }
    }

    /// <summary>Starts the stopped server again on the same <see cref="Port"/> and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var logLength = LogLength();
        var result = await PgCtlStartAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl start on port {Port} failed with exit code {result.ExitCode}: {result.Output}{ReadLogFrom(logLength)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
            {
                var result = await PgCtlAsync("stop", "-m", "immediate");
                if (result.ExitCode != 0)
                {
                    KillPostmaster();
                }
            }
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    // The socket lives in the folder and its path must stay under 107 bytes, so a long TMPDIR gives way to /tmp.
    private static string CreateFolder()
    {
        var temp = Path.GetTempPath();
        var parent = temp.Length > 60 ? "/tmp" : temp;
        while (true)
        {
            var folder = Path.Combine(parent, $"eventkit-pg-{Guid.NewGuid().ToString("N")[..8]}");
            if (!Directory.Exists(folder))
            {
                return Directory.CreateDirectory(folder).FullName;
            }
        }
    }

    // The port of a listener on 127.0.0.1:0, closed again; pg_ctl start may still lose it to someone else, hence the retries.
    private static int FreePort()
    {
        var shared = int.TryParse(Environment.GetEnvironmentVariable(SharedPortVariable), CultureInfo.InvariantCulture, out var port) ? port : 0;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var candidate = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (candidate is < 5432 or > 5434 && candidate != shared)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No free port for a private PostgreSQL server.");
    }

    private async Task StartOnFreePortAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var logLength = LogLength();
            var result = await PgCtlStartAsync();
            if (result.ExitCode == 0)
            {
                return;
            }

            var log = ReadLogFrom(logLength);
            var portTaken = log.Contains("could not bind", StringComparison.Ordinal) || log.Contains("Address already in use", StringComparison.Ordinal);
            if (!portTaken || attempt == PortTries)
            {
                throw new InvalidOperationException($"pg_ctl start on port {Port} failed with exit code {result.ExitCode}: {result.Output}{log}");
            }
        }
    }

    private async Task CreateDatabaseAsync()
    {
        var maintenance = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    // The settings go on the command line, not in postgresql.conf, so every start gets the same ones and the current port.
    private Task<ProcessResult> PgCtlStartAsync() => PgCtlAsync(
        "start",
        "-l",
        LogPath,
        "-o",
        $"-c listen_addresses=127.0.0.1 -p {Port} -k {_folder} -c fsync=off -c synchronous_commit=off");

    private Task<ProcessResult> PgCtlAsync(string command, params string[] options) => RunAsync(
        AsOsUser(Path.Combine(_bin, "pg_ctl"), ["-D", DataFolder, "-w", "-t", ((int)Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), .. options, command]),
        _folder);

    private ProcessStartInfo AsOsUser(string program, params string[] arguments)
    {
        var info = _osUser is null
            ? new ProcessStartInfo(program)
            : new ProcessStartInfo("runuser") { ArgumentList = { "-u", _osUser, "--", program } };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private long LogLength() => File.Exists(LogPath) ? new FileInfo(LogPath).Length : 0;

    private string ReadLogFrom(long offset)
    {
        if (!File.Exists(LogPath))
        {
            return string.Empty;
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // Only when pg_ctl could not stop it: the postmaster's pid is the first line of postmaster.pid.
    private void KillPostmaster()
    {
        try
        {
            var pid = int.Parse(File.ReadLines(Path.Combine(DataFolder, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            using var postmaster = Process.GetProcessById(pid);
            postmaster.Kill(entireProcessTree: true);
            postmaster.WaitForExit(Timeout);
        }
        catch (Exception ex) when (ex is IOException or FormatException or ArgumentException or InvalidOperationException)
        {
            // Gone already (or no pid file): nothing left to kill.
        }
    }

    private static async Task RunCheckedAsync(ProcessStartInfo info, string workingDirectory)
    {
        var result = await RunAsync(info, workingDirectory);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{info.FileName} {string.Join(' ', info.ArgumentList)} failed with exit code {result.ExitCode}: {result.Output}");
        }
    }

    // From the server's folder, which its OS user can read; with -l the server does not inherit our pipes.
    private static async Task<ProcessResult> RunAsync(ProcessStartInfo info, string workingDirectory)
    {
        info.WorkingDirectory = workingDirectory;
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(Timeout + TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(cancel.Token);
        return new ProcessResult(process.ExitCode, await stdout + await stderr);
    }

    private sealed record ProcessResult(int ExitCode, string Output);
}
