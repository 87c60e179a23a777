using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sendarix.Core.Smtp;

/// <summary>When a recipient's delivery status notifications are asked for (RFC 3461 section 4.1, NOTIFY).</summary>
[Flags]
public enum DsnNotify
{
    /// <summary>NOTIFY not given: the receiving MTA's default (failures and, by its choice, delays).</summary>
    Default = 0,
    Never = 1,
    Success = 2,
    Failure = 4,
    Delay = 8,
}

/// <summary>How much of the message a failure notification returns (RFC 3461 section 4.3, RET).</summary>
public enum DsnReturn
{
    Unspecified,
    Full,
    Headers,
}

/// <summary>The DSN parameters of a recipient: NOTIFY, and ORCPT as "addr-type;address" (decoded from xtext).</summary>
public readonly record struct DsnRecipient(DsnNotify Notify, string? OriginalRecipient)
{
    public bool IsEmpty => Notify == DsnNotify.Default && OriginalRecipient is null;
}

/// <summary>A transaction's DSN parameters: RET and ENVID from MAIL, and each accepted recipient's, in envelope order.</summary>
public sealed record DsnEnvelope(DsnReturn Return, string? EnvelopeId, IReadOnlyList<DsnRecipient> Recipients);

/// <summary>
/// Takes the DSN parameters (RFC 3461) out of MAIL and RCPT command lines, so that the line the SMTP library parses
/// holds only what it knows: RET and ENVID from MAIL, NOTIFY and ORCPT from RCPT. A malformed or repeated parameter
/// is refused with the reply to give. Pure: the guard keeps what it takes, per transaction.
/// </summary>
public static class DsnParameters
{
    const int MaxEnvelopeId = 100;
    const int MaxOriginalRecipient = 500;

    /// <summary>
    /// The MAIL line without RET and ENVID, and their values; false with <paramref name="error"/> (a 501 reply) when
    /// one is malformed or given twice.
    /// </summary>
    public static bool TryTakeFromMail(string line, out string forwarded, out DsnReturn ret, out string? envelopeId, [NotNullWhen(false)] out string? error)
    {
        ret = DsnReturn.Unspecified;
        envelopeId = null;
        error = null;
        forwarded = line;
        var (head, parameters) = Split(line);
        if (parameters.Count == 0)
        {
            return true;
        }

        var kept = new List<string>();
        foreach (var p in parameters)
        {
            var (key, value) = KeyValue(p);
            if (key.Equals("RET", StringComparison.OrdinalIgnoreCase))
            {
                if (ret != DsnReturn.Unspecified || value is null)
                {
                    error = "501 5.5.4 RET is given once, as RET=FULL or RET=HDRS";
                    return false;
                }

                ret = value.ToUpperInvariant() switch { "FULL" => DsnReturn.Full, "HDRS" => DsnReturn.Headers, _ => DsnReturn.Unspecified };
                if (ret == DsnReturn.Unspecified)
                {
                    error = "501 5.5.4 RET is given once, as RET=FULL or RET=HDRS";
                    return false;
                }
            }
            else if (key.Equals("ENVID", StringComparison.OrdinalIgnoreCase))
            {
                if (envelopeId is not null || value is null || DecodeXtext(value) is not { Length: > 0 and <= MaxEnvelopeId } decoded || !IsPrintableAscii(decoded))
                {
                    error = $"501 5.5.4 ENVID is given once, as xtext of up to {MaxEnvelopeId} printable characters";
                    return false;
                }

                envelopeId = decoded;
            }
            else
            {
                kept.Add(p);
            }
        }

        forwarded = kept.Count == parameters.Count ? line : string.Join(' ', [head, .. kept]);
        return true;
    }

    /// <summary>The RCPT line without NOTIFY and ORCPT, and their values; false with <paramref name="error"/> otherwise.</summary>
    public static bool TryTakeFromRcpt(string line, out string forwarded, out DsnRecipient dsn, [NotNullWhen(false)] out string? error)
    {
        dsn = default;
        error = null;
        forwarded = line;
        var (head, parameters) = Split(line);
        if (parameters.Count == 0)
        {
            return true;
        }

        var kept = new List<string>();
        DsnNotify? notify = null;
        string? original = null;
        foreach (var p in parameters)
        {
            var (key, value) = KeyValue(p);
            if (key.Equals("NOTIFY", StringComparison.OrdinalIgnoreCase))
            {
                if (notify is not null || value is null || ParseNotify(value) is not { } parsed)
                {
                    error = "501 5.5.4 NOTIFY is given once, as NEVER or a list of SUCCESS, FAILURE and DELAY";
                    return false;
                }

                notify = parsed;
            }
            else if (key.Equals("ORCPT", StringComparison.OrdinalIgnoreCase))
            {
                var semicolon = value?.IndexOf(';') ?? -1;
                var type = semicolon > 0 ? value![..semicolon] : null;
                var address = semicolon > 0 ? DecodeXtext(value![(semicolon + 1)..]) : null;
                if (original is not null || type is null || !type.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
                    || address is not { Length: > 0 and <= MaxOriginalRecipient })
                {
                    error = "501 5.5.4 ORCPT is given once, as addr-type;xtext (such as rfc822;user@example.com)";
                    return false;
                }

                original = $"{type.ToLowerInvariant()};{address}";
            }
            else
            {
                kept.Add(p);
            }
        }

        dsn = new DsnRecipient(notify ?? DsnNotify.Default, original);
        forwarded = kept.Count == parameters.Count ? line : string.Join(' ', [head, .. kept]);
        return true;
    }

    /// <summary>xtext (RFC 3461 section 4): "+XX" stands for the byte XX; null when an escape is malformed.</summary>
    public static string? DecodeXtext(string text)
    {
        if (!text.Contains('+'))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '+')
            {
                bytes.Add((byte)text[i]);
            }
            else if (i + 2 < text.Length && char.IsAsciiHexDigitUpper(text[i + 1]) && char.IsAsciiHexDigitUpper(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                return null;
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>xtext of a value: "+", "=" and anything outside printable ASCII escaped.</summary>
    public static string EncodeXtext(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            builder.Append(b is < 33 or > 126 or (byte)'+' or (byte)'=' ? $"+{b:X2}" : ((char)b).ToString());
        }

        return builder.ToString();
    }

    static DsnNotify? ParseNotify(string value)
    {
        var result = DsnNotify.Default;
        foreach (var word in value.Split(','))
        {
            var flag = word.ToUpperInvariant() switch
            {
                "NEVER" => DsnNotify.Never,
                "SUCCESS" => DsnNotify.Success,
                "FAILURE" => DsnNotify.Failure,
                "DELAY" => DsnNotify.Delay,
                _ => DsnNotify.Default,
            };
            if (flag == DsnNotify.Default || result.HasFlag(flag))
            {
                return null;
            }

            result |= flag;
        }

        // NEVER stands alone (RFC 3461 section 4.1).
        return result.HasFlag(DsnNotify.Never) && result != DsnNotify.Never ? null : result;
    }

    // "MAIL FROM:<a@b> SIZE=1 RET=HDRS" → ("MAIL FROM:<a@b>", ["SIZE=1", "RET=HDRS"]): parameters follow the path's '>'.
    static (string Head, List<string> Parameters) Split(string line)
    {
        var close = line.LastIndexOf('>');
        if (close < 0)
        {
            return (line, []);
        }

        return (line[..(close + 1)], line[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList());
    }

    static (string Key, string? Value) KeyValue(string parameter)
    {
        var equals = parameter.IndexOf('=');
        return equals < 0 ? (parameter, null) : (parameter[..equals], parameter[(equals + 1)..]);
    }

    static bool IsPrintableAscii(string text) => text.All(c => c is >= '!' and <= '~');
}
