using System.Security.Cryptography;
using System.Text;
using Sendarix.Core.Addressing;
using Sendarix.Core.Events;

namespace Sendarix.Core.Search;

/// <summary>
/// What a message can be found by through an index of its own: the values that pick out few messages. Sender and
/// recipient domain are not indexed: a tenant sends from a few addresses to a few large domains, so a scan finds
/// their messages at once, and each index row is storage work for every message (docs/architecture.md, "Search").
/// </summary>
public enum SearchField
{
    /// <summary>The client's Message-ID header, without its angle brackets: at most one message, the most selective.</summary>
    MessageId,

    Recipient,

    Tag,

    /// <summary>A metadata pair, "key=value".</summary>
    Metadata,
}

/// <summary>
/// The index keys of a message: each field's values normalised (addresses and domains in lower case, tags and
/// metadata keys too, so a search need not match case) and encoded so they are valid Azure Table row keys of bounded
/// length (no <c>/ \ # ?</c>, no control characters, no '|' so the key's separator is unambiguous). A value too
/// long for a key keeps its first characters and ends with a hash of the whole, so an exact search still finds it.
/// </summary>
public static class SearchKeys
{
    // Short enough that a key (value, separator, message id) stays far within the 1 KiB limit after escaping.
    const int MaxEncodedLength = 240;
    const int KeptPrefix = 180;

    /// <summary>The form a value is indexed and searched by.</summary>
    public static string Normalize(SearchField field, string value)
    {
        var v = value.Trim();
        return field switch
        {
            SearchField.MessageId => v.TrimStart('<').TrimEnd('>'),
            SearchField.Recipient => Address(v),
            SearchField.Tag => v.ToLowerInvariant(),
            SearchField.Metadata => v.IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                ? string.Concat(v[..eq].Trim().ToLowerInvariant(), "=", v[(eq + 1)..])
                : v.ToLowerInvariant(),
            _ => v,
        };
    }

    /// <summary>An address as it is compared: in lower case.</summary>
    public static string Address(string address) => address.Trim().ToLowerInvariant();

    /// <summary>A domain as it is compared: its ASCII form, in lower case.</summary>
    public static string Domain(string domain) => domain.Trim() is var d && DomainName.TryToAscii(d, out var ascii) ? ascii : d.ToLowerInvariant();

    /// <summary>The key of a normalised value.</summary>
    public static string Encode(string normalized)
    {
        var escaped = new StringBuilder(normalized.Length + 8);
        foreach (var c in normalized)
        {
            if (c is '%' or '/' or '\\' or '#' or '?' or '|' || char.IsControl(c))
            {
                // Control characters are all below U+00A0: two hex digits always suffice.
                escaped.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        if (escaped.Length <= MaxEncodedLength)
        {
            return escaped.ToString();
        }

        // Cut where no surrogate pair or escape is split.
        var cut = KeptPrefix;
        while (cut > 0 && (char.IsHighSurrogate(escaped[cut - 1]) || escaped[cut - 1] == '%' || (cut > 1 && escaped[cut - 2] == '%')))
        {
            cut--;
        }

        var hash = Base32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)).AsSpan(0, 15));
        return string.Concat(escaped.ToString(0, cut), "~", hash);
    }

    /// <summary>The key a search for <paramref name="value"/> in <paramref name="field"/> looks up.</summary>
    public static string For(SearchField field, string value) => Encode(Normalize(field, value));

    /// <summary>Every key a message is indexed by, once each: its Message-ID, recipients, tags and metadata.</summary>
    public static IReadOnlyList<(SearchField Field, string Key)> Of(EventMessage message, IEnumerable<string> recipients)
    {
        var keys = new HashSet<(SearchField, string)>();
        if (!string.IsNullOrWhiteSpace(message.MessageIdHeader))
        {
            keys.Add((SearchField.MessageId, For(SearchField.MessageId, message.MessageIdHeader)));
        }

        foreach (var recipient in recipients)
        {
            keys.Add((SearchField.Recipient, For(SearchField.Recipient, recipient)));
        }

        foreach (var tag in message.Tags)
        {
            keys.Add((SearchField.Tag, For(SearchField.Tag, tag)));
        }

        foreach (var (key, value) in message.Metadata)
        {
            keys.Add((SearchField.Metadata, For(SearchField.Metadata, $"{key}={value}")));
        }

        return [.. keys.OrderBy(k => k.Item1).ThenBy(k => k.Item2, StringComparer.Ordinal)];
    }
}
