using System.Collections.Frozen;
using System.Security.Cryptography;

namespace EventKit.Dashboard.Internal.Assets;

/// <summary>
/// The stylesheet, script and icon, read once from this assembly's resources. Links carry a hash of the content
/// (<c>?v=…</c>), so browsers may cache an asset for good and still get a new one after an upgrade.
/// </summary>
internal sealed class AssetStore
{
    private const string ResourcePrefix = "EventKit.Dashboard.Assets.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["favicon.svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, Asset> _assets;

    private AssetStore(FrozenDictionary<string, Asset> assets) => _assets = assets;

    public static AssetStore Load()
    {
        var assembly = typeof(AssetStore).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (name, contentType) in ContentTypes)
        {
            using var stream = assembly.GetManifestResourceStream(ResourcePrefix + name)
                ?? throw new InvalidOperationException($"The dashboard asset '{name}' is missing from {assembly.GetName().Name}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var version = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 6));
            assets[name] = new Asset(content, contentType, version);
        }

        return new AssetStore(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public bool TryGet(string name, out Asset asset) => _assets.TryGetValue(name, out asset!);

    /// <summary>The path of an asset below the dashboard's prefix, with its version.</summary>
    public string Path(string name) => $"/assets/{name}?v={_assets[name].Version}";

    internal sealed record Asset(byte[] Content, string ContentType, string Version);
}
