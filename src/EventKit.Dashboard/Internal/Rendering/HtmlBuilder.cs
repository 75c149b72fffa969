using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace EventKit.Dashboard.Internal.Rendering;

/// <summary>
/// Writes HTML from interpolated strings: the literal parts, written in the source code, are markup; every hole is
/// HTML-encoded, unless it is a <see cref="Markup"/>. So data (payloads, error texts, type names, all of which an
/// attacker may control) cannot become markup by forgetting to encode it.
/// </summary>
internal sealed class HtmlBuilder
{
    // Encodes &, <, >, " and ' (and control characters) but keeps letters of every script readable in the source.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringBuilder _text = new();

    public HtmlBuilder Append([InterpolatedStringHandlerArgument("")] ref Handler html) => this;

    /// <summary>Writes text, encoded.</summary>
    public HtmlBuilder Text(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            using var writer = new StringWriter(_text, CultureInfo.InvariantCulture);
            Encoder.Encode(writer, text);
        }

        return this;
    }

    public HtmlBuilder Append(Markup markup)
    {
        _text.Append(markup.Value);
        return this;
    }

    public override string ToString() => _text.ToString();

    private void Literal(string markup) => _text.Append(markup);

    private void Formatted<T>(T value, string? format)
    {
        switch (value)
        {
            case null:
                return;
            case Markup markup:
                _text.Append(markup.Value);
                return;
            case string text:
                Text(text);
                return;
            case IFormattable formattable:
                Text(formattable.ToString(format, CultureInfo.InvariantCulture));
                return;
            default:
                Text(value.ToString());
                return;
        }
    }

    /// <summary>The interpolated-string handler behind <see cref="Append(ref Handler)"/>.</summary>
    [InterpolatedStringHandler]
    internal readonly ref struct Handler
    {
        private readonly HtmlBuilder _builder;

        public Handler(int literalLength, int formattedCount, HtmlBuilder builder)
        {
            _ = literalLength;
            _ = formattedCount;
            _builder = builder;
        }

        public void AppendLiteral(string value) => _builder.Literal(value);

        public void AppendFormatted<T>(T value) => _builder.Formatted(value, null);

        public void AppendFormatted<T>(T value, string? format) => _builder.Formatted(value, format);
    }
}
