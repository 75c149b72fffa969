using System.Diagnostics;
using System.Reflection;

namespace EventKit.Benchmarks.CrossProcess;

/// <summary>
/// This benchmark assembly run again as a child process in one of <see cref="WakeUpChild"/>'s modes: its stdout lines go
/// to a callback (split on spaces), "ready" completes <see cref="Ready"/>; closing its stdin stops it.
/// </summary>
internal sealed class Child : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Child(Process process) => _process = process;

    public Task Ready => _ready.Task;

    public static Child Start(string[] args, Action<string[]> onLine)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("EventKit.Benchmarks", StringComparison.Ordinal))
        {
            // Run as "dotnet EventKit.Benchmarks.dll": the child is "dotnet" too, with the assembly first.
            info.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        var child = new Child(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { Length: > 0 } line)
            {
                return;
            }

            if (line == "ready")
            {
                child._ready.TrySetResult();
                return;
            }

            onLine(line.Split(' '));
        };
        process.Start();
        process.BeginOutputReadLine();
        return child;
    }

    /// <summary>Closes stdin (the child stops) and waits for it to exit.</summary>
    public async Task ExitAsync(TimeSpan timeout)
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(timeout);
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
