namespace EventKit.Dashboard.Internal.Rendering;

/// <summary>
/// HTML that is already safe: made by an <see cref="HtmlBuilder"/> (whose holes are encoded) or a compile-time
/// constant. The only kind of value <see cref="HtmlBuilder"/> writes without encoding.
/// </summary>
internal readonly struct Markup
{
    private Markup(string value) => Value = value;

    public string Value { get; } = string.Empty;

    public static Markup Empty => default;

    /// <summary>Wraps what a builder wrote.</summary>
    public static Markup From(HtmlBuilder builder) => new(builder.ToString());

    /// <summary>Wraps markup written in the source code. Never pass data here.</summary>
    public static Markup Trusted(string constantMarkup) => new(constantMarkup);

    public static Markup Build(Action<HtmlBuilder> write)
    {
        var builder = new HtmlBuilder();
        write(builder);
        return From(builder);
    }
}
