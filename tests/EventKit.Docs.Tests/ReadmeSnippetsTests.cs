using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>
/// Every C# block of the root README.md is code that compiles: it is marked with <c>&lt;!-- snippet: NAME --&gt;</c>
/// and equals the region NAME of a source file in this project. A README edit not made to the code (or the other way
/// round) fails here, naming the snippet and showing both texts.
/// </summary>
public sealed class ReadmeSnippetsTests
{
    private static readonly Lazy<string> Readme = new(() => File.ReadAllText(ReadmeSnippets.ReadmePath));

    public static TheoryData<string> MarkedSnippets()
    {
        var names = new TheoryData<string>();
        foreach (var block in ReadmeSnippets.ParseCSharpBlocks(Readme.Value).Where(b => b.Name is not null))
        {
            names.Add(block.Name!);
        }

        return names;
    }

    [Fact]
    public void EveryCSharpBlock_HasASnippetMarker()
    {
        var blocks = ReadmeSnippets.ParseCSharpBlocks(Readme.Value);
        Assert.NotEmpty(blocks);

        var unmarked = blocks.Where(b => b.Name is null).Select(b => $"README.md line {b.Line}: {FirstLine(b.Text)}").ToList();
        Assert.True(
            unmarked.Count == 0,
            $"Every ```csharp block of README.md needs '<!-- snippet: NAME -->' on the line before it, and a region " +
            $"'// <readme:NAME>' … '// </readme:NAME>' in tests/EventKit.Docs.Tests with the same code. Unmarked:{Environment.NewLine}" +
            string.Join(Environment.NewLine, unmarked));
    }

    [Fact]
    public void MarkersAndRegions_AreWellFormed()
    {
        var problems = new List<string>();
        var regions = ReadmeSnippets.LoadRegions(problems);
        foreach (var duplicate in regions.GroupBy(r => r.Name).Where(g => g.Count() > 1))
        {
            problems.Add($"Region '{duplicate.Key}' is defined more than once: {string.Join(", ", duplicate.Select(r => $"{r.File}:{r.Line}"))}.");
        }

        var markers = ReadmeSnippets.ParseMarkers(Readme.Value);
        foreach (var duplicate in markers.GroupBy(m => m.Name).Where(g => g.Count() > 1))
        {
            problems.Add($"README.md marks snippet '{duplicate.Key}' more than once (lines {string.Join(", ", duplicate.Select(m => m.Line))}).");
        }

        var marked = ReadmeSnippets.ParseCSharpBlocks(Readme.Value).Where(b => b.Name is not null).Select(b => b.Name!).ToHashSet();
        foreach (var (name, line) in markers.Where(m => !marked.Contains(m.Name)))
        {
            problems.Add($"README.md line {line}: the marker for snippet '{name}' is not followed by a ```csharp block.");
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(MarkedSnippets))]
    public void ReadmeBlock_EqualsTheCompiledRegion(string name)
    {
        var block = ReadmeSnippets.ParseCSharpBlocks(Readme.Value).First(b => b.Name == name);
        var region = ReadmeSnippets.LoadRegions([]).FirstOrDefault(r => r.Name == name);
        Assert.True(
            region is not null,
            $"README snippet '{name}' (fence at line {block.Line}) has no region '// <readme:{name}>' in any .cs file of tests/EventKit.Docs.Tests. " +
            $"Put the code there, where it compiles:{Environment.NewLine}{ReadmeSnippets.Normalize(block.Text)}");

        var difference = ReadmeSnippets.Compare(block, region);
        Assert.True(difference is null, difference);
    }

    [Fact]
    public void EveryRegion_IsShownInTheReadme()
    {
        var shown = ReadmeSnippets.ParseCSharpBlocks(Readme.Value).Select(b => b.Name).ToHashSet();
        var unused = ReadmeSnippets.LoadRegions([]).Where(r => !shown.Contains(r.Name)).Select(r => $"'{r.Name}' ({r.File}:{r.Line})").ToList();
        Assert.True(
            unused.Count == 0,
            $"These regions are not shown in README.md (mark a ```csharp block with <!-- snippet: NAME -->, or remove the region markers): {string.Join(", ", unused)}");
    }

    // The checks themselves, on small texts: they find what they must find and fail with a useful message.

    [Fact]
    public void Parser_FindsMarkedAndUnmarkedCSharpBlocks_AndSkipsOthers()
    {
        var markdown = string.Join('\n',
            "# Title",
            "<!-- snippet: first -->",
            "```csharp",
            "var a = 1;",
            "```",
            "```bash",
            "dotnet test",
            "```",
            "- A list item:",
            "",
            "  <!-- snippet: indented -->",
            "  ```cs",
            "  var b = 2;",
            "  ```",
            "Text between.",
            "```C#",
            "var c = 3;",
            "```");

        var blocks = ReadmeSnippets.ParseCSharpBlocks(markdown);

        Assert.Equal(
            [new CodeBlock(3, "first", "var a = 1;"), new CodeBlock(12, "indented", "  var b = 2;"), new CodeBlock(16, null, "var c = 3;")],
            blocks);
        Assert.Equal([("first", 2), ("indented", 11)], ReadmeSnippets.ParseMarkers(markdown));
    }

    [Fact]
    public void Regions_AreReadBetweenTheirMarkers_AndMalformedOnesAreReported()
    {
        var source = string.Join('\n',
            "class C",
            "{",
            "    void M()",
            "    {",
            "        " + Start("demo"),
            "        var a = 1;",
            "",
            "        var b = a;",
            "        " + End("demo"),
            "        " + Start("open"),
            "    }",
            "}");

        var errors = new List<string>();
        var regions = ReadmeSnippets.ParseRegions("C.cs", source, errors);

        var region = Assert.Single(regions);
        Assert.Equal(("demo", "C.cs", 5), (region.Name, region.File, region.Line));
        Assert.Equal("var a = 1;\n\nvar b = a;", ReadmeSnippets.Normalize(region.Text));
        Assert.Equal("C.cs:10: region 'open' is never closed with '// </readme:open>'.", Assert.Single(errors));
    }

    [Fact]
    public void Compare_IgnoresIndentationAndTrailingSpaces_ButNotAnyOtherChange()
    {
        var region = new Region("demo", "tests/EventKit.Docs.Tests/Demo.cs", 7, "        var total = 1;   \n        Console.WriteLine(total);\n");
        var same = new CodeBlock(40, "demo", "var total = 1;\nConsole.WriteLine(total);");
        var edited = new CodeBlock(40, "demo", "var total = 2;\nConsole.WriteLine(total);");

        Assert.Null(ReadmeSnippets.Compare(same, region));
        var message = ReadmeSnippets.Compare(edited, region);

        Assert.NotNull(message);
        Assert.Contains("README snippet 'demo' (README.md, fence at line 40) differs from region 'demo' (tests/EventKit.Docs.Tests/Demo.cs:7)", message, StringComparison.Ordinal);
        Assert.Contains("First difference at line 1 of the snippet:", message, StringComparison.Ordinal);
        Assert.Contains("----- README.md -----\nvar total = 2;\nConsole.WriteLine(total);", message.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("----- tests/EventKit.Docs.Tests/Demo.cs -----\nvar total = 1;\nConsole.WriteLine(total);", message.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    private static string Start(string name) => "// <" + "readme:" + name + ">";

    private static string End(string name) => "// </" + "readme:" + name + ">";

    private static string FirstLine(string text) => ReadmeSnippets.Normalize(text).Split('\n')[0];
}
