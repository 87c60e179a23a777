using System.Buffers;
using System.Text;

namespace Sendarix.Core.Smtp;

/// <summary>
/// A client's first response in SASL XOAUTH2 (Google's and Microsoft's: <c>user=U ^A auth=Bearer T ^A ^A</c>) or
/// OAUTHBEARER (RFC 7628 section 3.1: a GS2 header <c>n,a=U,</c>, then <c>^A</c>-separated key=value pairs, one of
/// them <c>auth=Bearer T</c>, ending <c>^A ^A</c>), decoded from base64.
/// </summary>
public readonly record struct BearerResponse(string User, string Token)
{
    public const string XOAuth2 = "XOAUTH2";
    public const string OAuthBearer = "OAUTHBEARER";

    // RFC 6750 section 2.1's b64token: what a bearer token may hold.
    static readonly SearchValues<char> TokenChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=");

    public static bool TryParse(string mechanism, string base64, out BearerResponse response)
    {
        response = default;
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var length))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, length);
        string? user;
        IEnumerable<string> pairs;
        if (mechanism == OAuthBearer)
        {
            // gs2-header: no channel binding ("n"), the authorisation identity (a=, with "=2C" and "=3D" escapes), then ",".
            var first = text.IndexOf('\x01');
            var header = first < 0 ? text : text[..first];
            var fields = header.Split(',');
            if (fields.Length < 3 || fields[0] is not ("n" or "y"))
            {
                return false;
            }

            user = fields[1].StartsWith("a=", StringComparison.Ordinal) ? fields[1][2..].Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal) : null;
            pairs = first < 0 ? [] : text[(first + 1)..].Split('\x01');
        }
        else
        {
            var fields = text.Split('\x01');
            user = fields.FirstOrDefault(f => f.StartsWith("user=", StringComparison.Ordinal))?[5..];
            pairs = fields;
        }

        var auth = pairs.FirstOrDefault(p => p.StartsWith("auth=", StringComparison.Ordinal))?[5..];
        if (user is not { Length: > 0 } || auth is null || !auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var token = auth[7..].Trim();
        if (token.Length == 0 || token.AsSpan().IndexOfAnyExcept(TokenChars) >= 0)
        {
            return false;
        }

        response = new BearerResponse(user, token);
        return true;
    }

    /// <summary>
    /// The error challenge of RFC 7628 section 3.2.2 (base64 of a JSON object): the client answers it with a dummy
    /// response, and the server then fails the exchange.
    /// </summary>
    public static string ErrorChallenge(string status) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"status\":\"{status}\",\"schemes\":\"bearer\"}}"));
}
