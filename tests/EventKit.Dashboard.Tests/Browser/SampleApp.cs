using System.Net;
using System.Net.Http.Json;
using FluentAssertions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard.Tests.Browser;

/// <summary>
/// samples/EventKit.Samples.Web on Kestrel at a free loopback port (a real browser needs a real socket), with its
/// SQLite database, its handlers and its dashboard at /eventkit, local-only as the sample mounts it. One for the test
/// classes of <see cref="Collection"/>, which run one after another: the sample re-creates its one database file at
/// every start, so two instances must never run at once.
/// </summary>
public sealed class SampleApp : IAsyncLifetime
{
    /// <summary>The collection of the test classes that use the web sample.</summary>
    public const string Collection = "Web sample";

    private readonly WebApplicationFactory<Program> _factory = new();

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _factory.Services;

    public string Dashboard => new Uri(Address, "/eventkit").ToString();

    public Task InitializeAsync()
    {
        _factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        Address = new Uri(_factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Client = new HttpClient { BaseAddress = Address };
        return Task.CompletedTask;
    }

    public async Task<Guid> PostForIdAsync(string path, object body)
    {
        var response = await Client.PostAsJsonAsync(path, body);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<IdResponse>())!.Id;
    }

    public async Task SendAsync(HttpMethod method, string path, object body)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) });
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        await _factory.DisposeAsync();
    }

    /// <summary>The repository's root (where EventKit.sln is), for the sample's own files.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EventKit.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed record IdResponse(Guid Id);
}

/// <summary>The test classes that share one <see cref="SampleApp"/>.</summary>
[CollectionDefinition(SampleApp.Collection)]
public sealed class SampleAppCollection : ICollectionFixture<SampleApp>;
