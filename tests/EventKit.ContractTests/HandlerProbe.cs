using System.Collections.Concurrent;

namespace EventKit.ContractTests;

/// <summary>
/// Shared state of the test handlers: records every call and lets a test script failures and block handlers.
/// Registered as a singleton; handlers are scoped and call into it.
/// </summary>
public sealed class HandlerProbe
{
    private readonly ConcurrentDictionary<string, int> _failuresLeft = new();
    private readonly ConcurrentDictionary<string, Func<Exception>> _permanentFailures = new();

    public ConcurrentQueue<(string Handler, Guid EventId, int Attempt, object Payload)> Calls { get; } = new();

    /// <summary>When set, handlers await it (with their cancellation token) before returning.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completed by each handler as it starts; replaced by tests that need to observe a start.</summary>
    public TaskCompletionSource Started { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gates per key (an account of <see cref="AccountHandler"/>): its runs wait until the gate is completed.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();

    /// <summary>How many times a run started while another run of the same key was still running.</summary>
    public int Overlaps => _overlaps;

    private readonly ConcurrentDictionary<string, int> _running = new();
    private int _overlaps;

    public void Enter(string key)
    {
        if (_running.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }
    }

    public void Exit(string key) => _running.AddOrUpdate(key, 0, (_, n) => n - 1);

    /// <summary>Throws while failures scripted for <paramref name="key"/> (with <see cref="FailTimes"/>) are left.</summary>
    public void FailIfScripted(string key, int attempt)
    {
        while (_failuresLeft.TryGetValue(key, out var left) && left > 0)
        {
            if (_failuresLeft.TryUpdate(key, left - 1, left))
            {
                throw new InvalidOperationException($"{key} failed on purpose (attempt {attempt}).");
            }
        }
    }

    public void FailTimes(string handler, int times) => _failuresLeft[handler] = times;

    public void FailAlways(string handler) => _failuresLeft[handler] = int.MaxValue;

    public void FailWith(string handler, Func<Exception> exception) => _permanentFailures[handler] = exception;

    public void Heal(string handler)
    {
        _failuresLeft.TryRemove(handler, out _);
        _permanentFailures.TryRemove(handler, out _);
    }

    public int CountCalls(string handler) => Calls.Count(c => c.Handler == handler);

    public async Task InvokeAsync(string handler, Guid eventId, int attempt, object payload, CancellationToken cancellationToken)
    {
        Calls.Enqueue((handler, eventId, attempt, payload));
        Started.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (_permanentFailures.TryGetValue(handler, out var exception))
        {
            throw exception();
        }

        FailIfScripted(handler, attempt);
    }
}
