using System.Globalization;
using System.Net;
using System.Text;

namespace Sendarix.Dashboard.Charts;

/// <summary>A series of a chart: its name, colour and one value per point (null: no value there).</summary>
public sealed record ChartSeries(string Name, string Colour, IReadOnlyList<double?> Values);

/// <summary>
/// Line charts as inline SVG, written on the server: nothing to fetch, so the dashboard works offline. The chart is
/// an image to a screen reader (role="img" with a label naming its series and range); the figures themselves are in
/// the table the page shows beside it.
/// </summary>
public static class SvgChart
{
    const int Width = 560;
    const int Height = 220;
    const int Left = 48;
    const int Right = 12;
    const int Top = 28;
    const int Bottom = 28;

    public static string Lines(string label, IReadOnlyList<string> xLabels, IReadOnlyList<ChartSeries> series, bool percent = false)
    {
        var max = series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        var top = NiceCeiling(max, percent);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(int i) => Left + (xLabels.Count <= 1 ? plotWidth / 2.0 : plotWidth * i / (double)(xLabels.Count - 1));
        double Y(double v) => Top + plotHeight - (top == 0 ? 0 : plotHeight * v / top);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="chart" viewBox="0 0 {Width} {Height}" width="100%" role="img" aria-label="{Encode(label)}" xmlns="http://www.w3.org/2000/svg">""");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Encode(label)}</title>");

        // Grid lines and the y axis at 0, half and the top.
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            var y = Y(top * fraction);
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" x2="{Width - Right}" y1="{y:F1}" y2="{y:F1}" stroke="#d9dee7" />""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left - 6}" y="{y + 4:F1}" text-anchor="end">{Encode(Format(top * fraction, percent))}</text>""");
        }

        // A handful of x labels: the first, the last and evenly between.
        var step = Math.Max(1, (int)Math.Ceiling(xLabels.Count / 6.0));
        for (var i = 0; i < xLabels.Count; i += step)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{X(i):F1}" y="{Height - 8}" text-anchor="middle">{Encode(xLabels[i])}</text>""");
        }

        var legendX = Left;
        foreach (var s in series)
        {
            var points = s.Values.Select((v, i) => v is { } value ? $"{X(i).ToString("F1", CultureInfo.InvariantCulture)},{Y(value).ToString("F1", CultureInfo.InvariantCulture)}" : null)
                .OfType<string>().ToList();
            if (points.Count > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="{s.Colour}" stroke-width="2" points="{string.Join(' ', points)}"><title>{Encode(s.Name)}</title></polyline>""");
            }

            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{legendX}" y="8" width="10" height="10" fill="{s.Colour}" /><text x="{legendX + 14}" y="17">{Encode(s.Name)}</text>""");
            legendX += 24 + 7 * s.Name.Length;
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The top of the y axis: the maximum rounded up to 1, 2 or 5 times a power of ten (at least 1, or 1% for rates).</summary>
    public static double NiceCeiling(double max, bool percent = false)
    {
        var floor = percent ? 0.01 : 1;
        if (max <= floor)
        {
            return floor;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(c => c >= max);
    }

    static string Format(double value, bool percent) =>
        percent ? value.ToString("P1", CultureInfo.InvariantCulture) : value.ToString("#,0", CultureInfo.InvariantCulture);

    static string Encode(string text) => WebUtility.HtmlEncode(text);
}
