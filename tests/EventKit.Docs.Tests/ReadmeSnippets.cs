using System.Text;
using System.Text.RegularExpressions;

namespace EventKit.Docs.Tests;

/// <summary>A fenced C# block of a Markdown file, with the snippet marker right before it, if any.</summary>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Name">The name in the <c>&lt;!-- snippet: NAME --&gt;</c> marker before the fence, or <see langword="null"/>.</param>
/// <param name="Text">The block's lines, without the fences.</param>
public sealed record CodeBlock(int Line, string? Name, string Text);

/// <summary>A region of a source file between <c>// &lt;readme:NAME&gt;</c> and <c>// &lt;/readme:NAME&gt;</c>.</summary>
/// <param name="Name">The region name.</param>
/// <param name="File">The file, relative to the repository root.</param>
/// <param name="Line">The 1-based line of the opening marker.</param>
/// <param name="Text">The lines between the markers.</param>
public sealed record Region(string Name, string File, int Line, string Text);

/// <summary>
/// Reads the README's C# blocks and the regions of this project's sources that they mirror, and compares them.
/// A README block is marked by an HTML comment on the line before its fence (invisible on GitHub):
/// <c>&lt;!-- snippet: quickstart-publish --&gt;</c>; its code is the region <c>// &lt;readme:quickstart-publish&gt;</c>
/// … <c>// &lt;/readme:quickstart-publish&gt;</c> in a .cs file of tests/EventKit.Docs.Tests, where it compiles.
/// </summary>
public static partial class ReadmeSnippets
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>Gets the repository root: the first folder above the test binaries that holds EventKit.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    public static string ReadmePath => Path.Combine(RepositoryRoot, "README.md");

    /// <summary>Gets the folder whose .cs files hold the regions: this project's sources, read at test time.</summary>
    public static string SourceFolder => Path.Combine(RepositoryRoot, "tests", "EventKit.Docs.Tests");

    /// <summary>Finds the fenced C# blocks (<c>csharp</c>, <c>cs</c> or <c>c#</c>) of a Markdown text.</summary>
    public static IReadOnlyList<CodeBlock> ParseCSharpBlocks(string markdown)
    {
        var lines = SplitLines(markdown);
        var blocks = new List<CodeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = FenceOpen().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var fence = open.Groups["fence"].Value;
            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && !IsFenceClose(lines[i], fence); i++)
            {
                body.Add(lines[i]);
            }

            if (IsCSharp(open.Groups["info"].Value))
            {
                blocks.Add(new CodeBlock(start + 1, MarkerBefore(lines, start), string.Join('\n', body)));
            }
        }

        return blocks;
    }

    /// <summary>Finds every snippet marker outside code fences: its name and 1-based line.</summary>
    public static IReadOnlyList<(string Name, int Line)> ParseMarkers(string markdown)
    {
        var lines = SplitLines(markdown);
        var markers = new List<(string, int)>();
        string? fence = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (fence is not null)
            {
                fence = IsFenceClose(lines[i], fence) ? null : fence;
            }
            else if (FenceOpen().Match(lines[i]) is { Success: true } open)
            {
                fence = open.Groups["fence"].Value;
            }
            else if (Marker().Match(lines[i]) is { Success: true } marker)
            {
                markers.Add((marker.Groups["name"].Value, i + 1));
            }
        }

        return markers;
    }

    /// <summary>Finds the regions of one source file; malformed markers are reported in <paramref name="errors"/>.</summary>
    public static IReadOnlyList<Region> ParseRegions(string file, string source, List<string> errors)
    {
        var lines = SplitLines(source);
        var regions = new List<Region>();
        (string Name, int Line)? open = null;
        var body = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (RegionStart().Match(lines[i]) is { Success: true } start)
            {
                if (open is { } outer)
                {
                    errors.Add($"{file}:{i + 1}: region '{start.Groups["name"].Value}' starts inside region '{outer.Name}' (line {outer.Line}); regions do not nest.");
                }

                open = (start.Groups["name"].Value, i + 1);
                body.Clear();
            }
            else if (RegionEnd().Match(lines[i]) is { Success: true } end)
            {
                var name = end.Groups["name"].Value;
                if (open is not { } current || current.Name != name)
                {
                    errors.Add($"{file}:{i + 1}: '// </readme:{name}>' closes no open region named '{name}'.");
                }
                else
                {
                    regions.Add(new Region(name, file, current.Line, string.Join('\n', body)));
                }

                open = null;
            }
            else if (lines[i].Contains("readme:", StringComparison.Ordinal) && lines[i].TrimStart().StartsWith("// <", StringComparison.Ordinal))
            {
                errors.Add($"{file}:{i + 1}: malformed region marker '{lines[i].Trim()}'; write '// <readme:NAME>' or '// </readme:NAME>' alone on the line.");
            }
            else if (open is not null)
            {
                body.Add(lines[i]);
            }
        }

        if (open is { } unclosed)
        {
            errors.Add($"{file}:{unclosed.Line}: region '{unclosed.Name}' is never closed with '// </readme:{unclosed.Name}>'.");
        }

        return regions;
    }

    /// <summary>Reads every region of the .cs files under <see cref="SourceFolder"/> (bin and obj excluded).</summary>
    public static IReadOnlyList<Region> LoadRegions(List<string> errors)
    {
        var regions = new List<Region>();
        var files = Directory.EnumerateFiles(SourceFolder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(SourceFolder, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(RepositoryRoot, file).Replace(Path.DirectorySeparatorChar, '/');
            regions.AddRange(ParseRegions(relative, File.ReadAllText(file), errors));
        }

        return regions;
    }

    /// <summary>
    /// Normalizes code for comparison: line endings to \n, trailing whitespace removed from every line, blank lines
    /// at the start and end dropped, and the indentation common to all non-blank lines removed.
    /// </summary>
    public static string Normalize(string code)
    {
        var lines = SplitLines(code).Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length == 0 ? l : l[indent..]));
    }

    /// <summary>Compares a README block with its region: <see langword="null"/> when equal, else a message showing both texts.</summary>
    public static string? Compare(CodeBlock block, Region region, string readmeName = "README.md")
    {
        var readme = Normalize(block.Text);
        var code = Normalize(region.Text);
        if (readme == code)
        {
            return null;
        }

        var readmeLines = readme.Split('\n');
        var codeLines = code.Split('\n');
        var first = 0;
        while (first < readmeLines.Length && first < codeLines.Length && readmeLines[first] == codeLines[first])
        {
            first++;
        }

        var message = new StringBuilder()
            .AppendLine($"README snippet '{block.Name}' ({readmeName}, fence at line {block.Line}) differs from region '{region.Name}' ({region.File}:{region.Line}).")
            .AppendLine("Change both: the README must show the code that is compiled and run in tests/EventKit.Docs.Tests.")
            .AppendLine($"First difference at line {first + 1} of the snippet:")
            .AppendLine($"  {readmeName}: {(first < readmeLines.Length ? readmeLines[first] : "(no more lines)")}")
            .AppendLine($"  {region.File}: {(first < codeLines.Length ? codeLines[first] : "(no more lines)")}")
            .AppendLine($"----- {readmeName} -----")
            .AppendLine(readme)
            .AppendLine($"----- {region.File} -----")
            .AppendLine(code)
            .Append("-----");
        return message.ToString();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventKit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds EventKit.sln: the docs tests must run from the repository's build output.");
    }

    private static string[] SplitLines(string text) => text.ReplaceLineEndings("\n").Split('\n');

    private static bool IsCSharp(string info) =>
        info.Equals("csharp", StringComparison.OrdinalIgnoreCase) || info.Equals("cs", StringComparison.OrdinalIgnoreCase) || info.Equals("c#", StringComparison.OrdinalIgnoreCase);

    private static bool IsFenceClose(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    /// <summary>The marker is the last non-blank line before the fence.</summary>
    private static string? MarkerBefore(string[] lines, int fenceLine)
    {
        for (var i = fenceLine - 1; i >= 0; i--)
        {
            if (lines[i].Trim().Length > 0)
            {
                return Marker().Match(lines[i]) is { Success: true } marker ? marker.Groups["name"].Value : null;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^\s*(?<fence>`{3,}|~{3,})\s*(?<info>[^\s`]*)")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<name>[A-Za-z0-9_.-]+)\s*-->\s*$")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^\s*//\s*<readme:(?<name>[A-Za-z0-9_.-]+)>\s*$")]
    private static partial Regex RegionStart();

    [GeneratedRegex(@"^\s*//\s*</readme:(?<name>[A-Za-z0-9_.-]+)>\s*$")]
    private static partial Regex RegionEnd();
}
