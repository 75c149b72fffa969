using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Tests;

/// <summary>Every handler run gets its own DI scope, so scoped state never crosses from one handler to another.</summary>
public sealed class HandlerScopeTests
{
    [Fact]
    public async Task HandlersOfOneEvent_RunInSeparateScopes_AndAFailureLeavesNothingBehind()
    {
        await using var app = TestApp.Create(
            b => b.UseInMemoryStore(),
            handlers: b => b.AddHandler<FailingWriter>().AddHandler<SavingWriter>(),
            services: s => s.AddScoped<UnitOfWork>().AddSingleton<Saved>());

        await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        await app.DrainAsync();

        app.Services.GetRequiredService<Saved>().Rows.Should().Equal(["saving"], "the failing handler's pending row lived in its own scope and was never saved");
    }

    /// <summary>A scoped unit of work, like a DbContext: rows are pending until saved.</summary>
    public sealed class UnitOfWork(Saved saved)
    {
        private readonly List<string> _pending = [];

        public void Add(string row) => _pending.Add(row);

        public void Save()
        {
            saved.Rows.AddRange(_pending);
            _pending.Clear();
        }
    }

    public sealed class Saved
    {
        public List<string> Rows { get; } = [];
    }

    public sealed class FailingWriter(UnitOfWork work) : IEventHandler<UserCreated>
    {
        public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
        {
            work.Add("failing");
            throw new InvalidOperationException("fails before saving");
        }
    }

    public sealed class SavingWriter(UnitOfWork work) : IEventHandler<UserCreated>
    {
        public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
        {
            work.Add("saving");
            work.Save();
            return Task.CompletedTask;
        }
    }
}
