using System.Globalization;

namespace EventKit.Dashboard.Internal.Rendering;

/// <summary>
/// Small charts drawn as inline SVG on the server: no script, no library, and nothing a Content-Security-Policy
/// blocks (colours come from the stylesheet through classes, never from style attributes).
/// </summary>
internal static class SvgChart
{
    /// <summary>One part of a stacked bar: its CSS class, its label (a tooltip) and its value.</summary>
    public readonly record struct Segment(string CssClass, string Label, long Value);

    /// <summary>A horizontal bar filled to <paramref name="value"/> / <paramref name="max"/>.</summary>
    public static Markup Bar(long value, long max, string label) => Markup.Build(html =>
    {
        var width = max <= 0 ? 0 : Math.Clamp(100.0 * value / max, value > 0 ? 0.5 : 0, 100);
        html.Append($"<svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{label}\">");
        html.Append($"<rect class=\"bar-track\" width=\"100\" height=\"10\"></rect>");
        html.Append($"<rect class=\"bar-fill\" width=\"{Number(width)}\" height=\"10\"><title>{label}</title></rect></svg>");
    });

    /// <summary>One bar split into <paramref name="segments"/> in proportion to their values.</summary>
    public static Markup Stacked(IReadOnlyList<Segment> segments, string label) => Markup.Build(html =>
    {
        var total = segments.Sum(s => Math.Max(0, s.Value));
        html.Append($"<svg class=\"stacked\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{label}\">");
        html.Append($"<rect class=\"bar-track\" width=\"100\" height=\"10\"></rect>");
        var x = 0.0;
        foreach (var segment in segments)
        {
            if (total == 0 || segment.Value <= 0)
            {
                continue;
            }

            var width = 100.0 * segment.Value / total;
            html.Append($"<rect class=\"{segment.CssClass}\" x=\"{Number(x)}\" width=\"{Number(width)}\" height=\"10\"><title>{segment.Label}: {Format.Count(segment.Value)}</title></rect>");
            x += width;
        }

        html.Append($"</svg>");
    });

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// Grouped columns: for each of <paramref name="labels"/>, one column per series, scaled to the largest value, with
    /// a tooltip per column and the first and last label under the axis.
    /// </summary>
    public static Markup Columns(IReadOnlyList<string> labels, IReadOnlyList<(string CssClass, string Name, IReadOnlyList<long> Values)> series, string label) => Markup.Build(html =>
    {
        const double Height = 100, Width = 600;
        var max = Math.Max(1, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var slot = labels.Count == 0 ? Width : Width / labels.Count;
        var column = slot * 0.8 / Math.Max(1, series.Count);
        html.Append($"<svg class=\"columns\" viewBox=\"0 0 {Number(Width)} {Number(Height + 14)}\" role=\"img\" aria-label=\"{label}\">");
        html.Append($"<line class=\"axis\" x1=\"0\" y1=\"{Number(Height)}\" x2=\"{Number(Width)}\" y2=\"{Number(Height)}\"></line>");
        for (var i = 0; i < labels.Count; i++)
        {
            for (var s = 0; s < series.Count; s++)
            {
                var value = series[s].Values[i];
                if (value <= 0)
                {
                    continue;
                }

                var h = Math.Max(1, Height * value / max);
                var x = (i * slot) + (slot * 0.1) + (s * column);
                html.Append($"<rect class=\"{series[s].CssClass}\" x=\"{Number(x)}\" y=\"{Number(Height - h)}\" width=\"{Number(column)}\" height=\"{Number(h)}\"><title>{labels[i]} {series[s].Name}: {Format.Count(value)}</title></rect>");
            }
        }

        if (labels.Count > 0)
        {
            html.Append($"<text class=\"tick\" x=\"0\" y=\"{Number(Height + 12)}\">{labels[0]}</text>");
            html.Append($"<text class=\"tick end\" x=\"{Number(Width)}\" y=\"{Number(Height + 12)}\">{labels[^1]}</text>");
        }

        html.Append($"<text class=\"tick\" x=\"2\" y=\"9\">max {Format.Count(max)}</text></svg>");
    });
}
