using System.Globalization;
using System.Text.Json;

namespace Sendarix.Core.Spam;

/// <summary>
/// rspamd's answer to <c>POST /checkv2</c> read as a verdict: score, required score, action and the symbols that
/// weighed most (by the size of their score, so a strongly negative one is kept too).
/// </summary>
public static class RspamdReply
{
    public static bool TryParse(ReadOnlySpan<byte> json, out SpamVerdict verdict)
    {
        verdict = SpamVerdict.NotScanned("unreadable reply");
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String
                || !TryAction(action.GetString(), out var parsed)
                || !root.TryGetProperty("score", out var score) || score.ValueKind != JsonValueKind.Number)
            {
                return false;
            }

            var required = root.TryGetProperty("required_score", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetDouble() : 0;
            var symbols = new List<SpamSymbol>();
            if (root.TryGetProperty("symbols", out var all) && all.ValueKind == JsonValueKind.Object)
            {
                foreach (var symbol in all.EnumerateObject())
                {
                    var value = symbol.Value.ValueKind == JsonValueKind.Object && symbol.Value.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number
                        ? s.GetDouble()
                        : 0;
                    symbols.Add(new SpamSymbol(symbol.Name, Math.Round(value, 2)));
                }
            }

            verdict = new SpamVerdict(Math.Round(score.GetDouble(), 2), Math.Round(required, 2), parsed,
                [.. symbols.OrderByDescending(s => Math.Abs(s.Score)).ThenBy(s => s.Name, StringComparer.Ordinal).Take(SpamVerdict.MaxSymbols)]);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>rspamd's name of an action.</summary>
    public static string Name(SpamAction action) => action switch
    {
        SpamAction.NoAction => "no action",
        SpamAction.Greylist => "greylist",
        SpamAction.AddHeader => "add header",
        SpamAction.RewriteSubject => "rewrite subject",
        SpamAction.SoftReject => "soft reject",
        _ => "reject",
    };

    static bool TryAction(string? name, out SpamAction action)
    {
        foreach (var a in Enum.GetValues<SpamAction>())
        {
            if (string.Equals(Name(a), name, StringComparison.OrdinalIgnoreCase))
            {
                action = a;
                return true;
            }
        }

        action = SpamAction.NoAction;
        return false;
    }

    /// <summary>A score as headers and replies write it.</summary>
    public static string Format(double score) => score.ToString("0.00", CultureInfo.InvariantCulture);
}
