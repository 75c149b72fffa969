using System.Diagnostics;
using System.Text;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// One EventKit.EntityFramework.TestHost process (see its Program.cs for the stdin/stdout protocol): started with
/// the same <c>dotnet</c> that runs the tests, from the copy built beside this test assembly. Disposing kills it
/// (and its children) if it is still running, so a failing test never leaves processes behind.
/// </summary>
public sealed class TestHostProcess : IAsyncDisposable
{
    private const string AssemblyName = "EventKit.EntityFramework.TestHost.dll";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<(string Line, TaskCompletionSource Seen)> _waiters = [];
    private readonly StringBuilder _stderr = new();
    private bool _stdoutClosed;

    private TestHostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    /// <summary>The OS process id, which EventKit puts in its lease owner id ("{machine}/{pid}/{guid}").</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote to stderr so far (its log, Warning and above).</summary>
    public string Errors
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the host; it prints "ready" once warmed up (see <see cref="WaitForLineAsync"/>).</summary>
    /// <param name="name">The instance name recorded in the handled table.</param>
    /// <param name="connectionString">The database.</param>
    /// <param name="options">More command-line options, e.g. "--batch-size", "20".</param>
    public static TestHostProcess Start(string name, string connectionString, params string[] options)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, AssemblyName);
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{AssemblyName} is not beside the test assembly; the ProjectReference to EventKit.EntityFramework.TestHost copies it there.", assembly);
        }

        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(assembly);
        foreach (var argument in (string[])["--instance", name, "--connection", connectionString, .. options])
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var host = new TestHostProcess(name, process);
        process.OutputDataReceived += (_, e) => host.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnStderr(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Completes when the process has printed <paramref name="line"/>; fails if it exits first or the time runs out.</summary>
    public async Task WaitForLineAsync(string line, TimeSpan? timeout = null)
    {
        TaskCompletionSource seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lines.Contains(line))
            {
                return;
            }

            if (_stdoutClosed)
            {
                throw Exited(line);
            }

            _waiters.Add((line, seen));
        }

        try
        {
            await seen.Task.WaitAsync(timeout ?? StartTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Test host '{Name}' did not print '{line}' within {timeout ?? StartTimeout}. Its stderr:\n{Errors}", ex);
        }
    }

    /// <summary>Writes one command line ("go", "stop") to the process's stdin.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes stdin, which stops the host gracefully, and returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        _process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"Test host '{Name}' did not exit within {timeout} after its stdin closed. Its stderr:\n{Errors}", ex);
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process and its children (SIGKILL on Linux) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await KillAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        _process.Dispose();
    }

    /// <summary>The dotnet host running these tests (set by the SDK for child processes), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private void OnStdout(string? line)
    {
        List<TaskCompletionSource> completed = [];
        List<(string Line, TaskCompletionSource Seen)> failed = [];
        lock (_gate)
        {
            if (line is null)
            {
                _stdoutClosed = true;
                failed.AddRange(_waiters);
                _waiters.Clear();
            }
            else
            {
                _lines.Add(line);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Line == line)
                    {
                        completed.Add(_waiters[i].Seen);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        completed.ForEach(c => c.TrySetResult());
        failed.ForEach(f => f.Seen.TrySetException(Exited(f.Line)));
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _stderr.AppendLine(line);
        }
    }

    private InvalidOperationException Exited(string line) =>
        new($"Test host '{Name}' closed its stdout (exited) before printing '{line}'. Its stderr:\n{Errors}");
}
