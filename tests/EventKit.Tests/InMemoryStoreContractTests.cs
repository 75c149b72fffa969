using EventKit.ContractTests;

namespace EventKit.Tests;

/// <summary>The shared store contract, on the in-memory store.</summary>
public sealed class InMemoryStoreContractTests : StoreContractTests
{
    protected override void UseStore(IEventKitBuilder builder) => builder.UseInMemoryStore();
}
