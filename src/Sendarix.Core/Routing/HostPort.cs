using System.Globalization;

namespace Sendarix.Core.Routing;

/// <summary>A destination host and port, written "host", "host:port" or "[v6]:port".</summary>
public sealed record HostPort(string Host, int Port)
{
    public const int SmtpPort = 25;

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static bool TryParse(string? text, out HostPort hostPort)
    {
        hostPort = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        string host;
        var port = SmtpPort;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']');
            if (close < 2)
            {
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && (rest[0] != ':' || !TryPort(rest[1..], out port)))
            {
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            if (colon >= 0 && (text.IndexOf(':') != colon || !TryPort(text[(colon + 1)..], out port)))
            {
                return false;
            }
        }

        if (host.Length == 0)
        {
            return false;
        }

        hostPort = new HostPort(host, port);
        return true;
    }

    static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
}
