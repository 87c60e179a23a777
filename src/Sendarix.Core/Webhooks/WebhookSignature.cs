using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sendarix.Core.Webhooks;

/// <summary>
/// Signs a webhook request as the Standard Webhooks spec (standardwebhooks.com) says: HMAC-SHA256 over
/// "{webhook-id}.{webhook-timestamp}.{body}", keyed with the secret's decoded key, sent as "v1,{Base64}". While a
/// rotation's old secret is still valid the header carries one signature per secret, separated by spaces, so a
/// receiver holding either accepts the request.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The webhook-timestamp header's value: whole seconds since the Unix epoch.</summary>
    public static string Timestamp(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The webhook-signature header's value for <paramref name="body"/>, one signature per secret, in their order.</summary>
    public static string Sign(string webhookId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, IEnumerable<string> secrets)
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookId);
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{Timestamp(timestamp)}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));

        var signatures = new List<string>();
        foreach (var secret in secrets)
        {
            if (!WebhookSecret.TryDecode(secret, out var key))
            {
                throw new ArgumentException("A signing secret is not of the form whsec_<Base64>.", nameof(secrets));
            }

            signatures.Add("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content)));
        }

        if (signatures.Count == 0)
        {
            throw new ArgumentException("At least one signing secret is needed.", nameof(secrets));
        }

        return string.Join(' ', signatures);
    }
}
