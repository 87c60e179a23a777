using System.Text;
using System.Text.Unicode;

namespace Sendarix.Core.Smtp;

/// <summary>
/// The command lines of an outbound transaction the relay writes itself: MAIL with its extensions' parameters, RCPT
/// with NOTIFY and ORCPT, and the dot-stuffed data. Pure; the delivery client sends them. Addresses come already in
/// the form the next hop takes (A-labels when it lacks SMTPUTF8).
/// </summary>
public static class EnvelopeCommands
{
    /// <summary>MAIL FROM with SIZE, BODY, SMTPUTF8, RET and ENVID, each only when given.</summary>
    public static string Mail(string sender, long? size, bool eightBitMime, bool smtpUtf8, DsnReturn ret, string? envelopeId)
    {
        var line = new StringBuilder("MAIL FROM:<").Append(sender).Append('>');
        if (size is { } n)
        {
            line.Append(" SIZE=").Append(n);
        }

        if (eightBitMime)
        {
            line.Append(" BODY=8BITMIME");
        }

        if (smtpUtf8)
        {
            line.Append(" SMTPUTF8");
        }

        if (ret != DsnReturn.Unspecified)
        {
            line.Append(ret == DsnReturn.Full ? " RET=FULL" : " RET=HDRS");
        }

        if (envelopeId is not null)
        {
            line.Append(" ENVID=").Append(DsnParameters.EncodeXtext(envelopeId));
        }

        return line.ToString();
    }

    /// <summary>
    /// RCPT TO with NOTIFY when asked for, and ORCPT ("addr-type;address", as the client gave it) re-encoded as xtext:
    /// RFC 3461 section 4.2 has a relay pass the client's original recipient on unchanged.
    /// </summary>
    public static string Rcpt(string recipient, DsnNotify notify, string? originalRecipient)
    {
        var line = new StringBuilder("RCPT TO:<").Append(recipient).Append('>');
        if (notify != DsnNotify.Default)
        {
            line.Append(" NOTIFY=").Append(NotifyValue(notify));
        }

        if (originalRecipient is not null)
        {
            var semicolon = originalRecipient.IndexOf(';');
            line.Append(" ORCPT=").Append(originalRecipient.AsSpan(0, semicolon)).Append(';')
                .Append(DsnParameters.EncodeXtext(originalRecipient[(semicolon + 1)..]));
        }

        return line.ToString();
    }

    /// <summary>
    /// The data to write after DATA's 354, as text: every line that starts with "." gets another, and the data ends
    /// with CRLF "." CRLF. Null when the body is not UTF-8: text written as UTF-8 would not give its bytes back.
    /// </summary>
    public static string? DotStuffedData(ReadOnlySpan<byte> body)
    {
        if (!Utf8.IsValid(body))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(body);
        var data = new StringBuilder(text.Length + 64);
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf("\r\n", start, StringComparison.Ordinal);
            var next = end < 0 ? text.Length : end + 2;
            if (text[start] == '.')
            {
                data.Append('.');
            }

            data.Append(text, start, next - start);
            start = next;
        }

        if (text.Length > 0 && !text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            data.Append("\r\n");
        }

        return data.Append(".\r\n").ToString();
    }

    static string NotifyValue(DsnNotify notify)
    {
        if (notify.HasFlag(DsnNotify.Never))
        {
            return "NEVER";
        }

        var values = new List<string>(3);
        if (notify.HasFlag(DsnNotify.Success))
        {
            values.Add("SUCCESS");
        }

        if (notify.HasFlag(DsnNotify.Failure))
        {
            values.Add("FAILURE");
        }

        if (notify.HasFlag(DsnNotify.Delay))
        {
            values.Add("DELAY");
        }

        return string.Join(',', values);
    }
}
