using Npgsql;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// A raw <c>LISTEN</c> on one channel that counts the notifications EventKit sends. <see cref="CountAsync"/> sends a
/// marker notification of its own and waits for it: PostgreSQL delivers notifications in commit order, so everything
/// committed before the marker has arrived by then, and the count is final without waiting for time to pass.
/// </summary>
public sealed class NotificationCounter : IAsyncDisposable
{
    private const string Marker = "test-marker";
    private readonly NpgsqlConnection _connection;
    private readonly string _channel;
    private readonly CancellationTokenSource _stop = new();
    private int _count;
    private TaskCompletionSource _marker = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;

    private NotificationCounter(string connectionString, string channel)
    {
        _connection = new NpgsqlConnection(connectionString);
        _channel = channel;
        _connection.Notification += (_, e) =>
        {
            if (e.Payload == Marker)
            {
                _marker.TrySetResult();
            }
            else
            {
                Interlocked.Increment(ref _count);
            }
        };
    }

    public static async Task<NotificationCounter> StartAsync(string connectionString, string channel)
    {
        var counter = new NotificationCounter(connectionString, channel);
        await counter._connection.OpenAsync();
        await using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", counter._connection))
        {
            await listen.ExecuteNonQueryAsync();
        }

        counter._loop = counter.LoopAsync();
        return counter;
    }

    /// <summary>The notifications received from everything committed so far (then counting starts again from zero).</summary>
    public async Task<int> CountAsync(string connectionString)
    {
        await using (var sender = new NpgsqlConnection(connectionString))
        {
            await sender.OpenAsync();
            await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", sender);
            notify.Parameters.AddWithValue("channel", _channel);
            notify.Parameters.AddWithValue("payload", Marker);
            await notify.ExecuteNonQueryAsync();
        }

        await _marker.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return Interlocked.Exchange(ref _count, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            await _connection.WaitAsync(_stop.Token);
        }
    }
}
