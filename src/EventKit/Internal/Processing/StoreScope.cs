using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Internal.Processing;

/// <summary>
/// The store of one pipeline component (claim loop, outcome writer, lease renewer), resolved from a DI scope that is
/// kept across its calls: a new scope, and with the EF store a new <c>DbContext</c>, for every claim or settle would
/// cost more than the call. Each component uses its own, one call at a time. A call that fails discards the scope, so
/// whatever state the failure left (a broken connection, a context in a bad state) never serves the next call.
/// </summary>
internal sealed class StoreScope(IServiceScopeFactory scopes) : IAsyncDisposable
{
    private AsyncServiceScope? _scope;
    private IEventStore? _store;

    public IEventStore Store
    {
        get
        {
            if (_store is null)
            {
                var scope = scopes.CreateAsyncScope();
                _scope = scope;
                _store = scope.ServiceProvider.GetRequiredService<IEventStore>();
            }

            return _store;
        }
    }

    /// <summary>Discards the scope after a failed call; the next call gets a new one.</summary>
    public async ValueTask ResetAsync()
    {
        var scope = _scope;
        _scope = null;
        _store = null;
        if (scope is { } current)
        {
            try
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The scope is being thrown away because something already failed; its disposal may fail too.
            }
        }
    }

    public ValueTask DisposeAsync() => ResetAsync();
}
