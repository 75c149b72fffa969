namespace EventKit.Internal.Processing;

/// <summary>
/// One of <see cref="EventKitOptions.MaxConcurrency"/> workers: takes leased events from the buffer in order, runs
/// each through the <see cref="EventRunner"/> in its own <see cref="RunSlot"/>, and passes the outcome to the
/// writer. A worker starts on the thread pool, so a handler that blocks synchronously holds this worker only.
/// </summary>
internal sealed class EventWorker(ProcessorRun run, EventRunner runner, RunSlot slot)
{
    private readonly PayloadCache _payloads = new();

    public Task Start() => Task.Run(LoopAsync);

    private async Task LoopAsync()
    {
        var reader = run.Buffer.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var leased))
            {
                if (run.IsStopping)
                {
                    run.Release(leased);
                    continue;
                }

                if (!run.Book.TryStart(leased, slot))
                {
                    // Its lease was lost while it waited: someone else has it now.
                    run.Book.Remove(leased);
                    continue;
                }

                EventOutcome? outcome;
                try
                {
                    outcome = await runner.RunAsync(leased, slot, _payloads).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The runner already contains every failure; this is the last guard that keeps the worker alive.
                    outcome = ProcessorRun.Unexpected(leased, ex, run.Time.GetUtcNow());
                }

                if (outcome is null)
                {
                    // Parked at a handler's concurrency limit: it comes back through the buffer when a slot frees.
                    continue;
                }

                run.Book.Finished(leased);
                run.Writer.Post(leased, outcome);
                run.Heartbeat();
            }
        }
    }
}
