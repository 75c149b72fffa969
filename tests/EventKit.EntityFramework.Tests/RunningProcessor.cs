using EventKit.ContractTests;

namespace EventKit.EntityFramework.Tests;

/// <summary>An app's processor running as the hosted service runs it, until disposed: stopped gracefully, handlers released first.</summary>
internal sealed class RunningProcessor : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TestApp _app;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    public RunningProcessor(TestApp app)
    {
        _app = app;
        Run = app.Processor.RunAsync(_stop.Token);
    }

    public Task Run { get; }

    /// <summary>Returns once the processor takes hand-offs (its first claim found nothing more); fails if it stopped first.</summary>
    public async Task UntilTakingHandOffsAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!_app.Processor.HandOff.IsAccepting)
        {
            if (Run.IsCompleted)
            {
                await Run;
                throw new InvalidOperationException("The processor stopped before it took hand-offs.");
            }

            await Task.Delay(1, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _app.Probe.Gate?.TrySetResult();
        await _stop.CancelAsync();
        await Run.WaitAsync(Wait);
        _stop.Dispose();
    }
}
