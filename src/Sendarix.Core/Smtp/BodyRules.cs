namespace Sendarix.Core.Smtp;

/// <summary>Checks on a received message body before it is accepted.</summary>
public static class BodyRules
{
    /// <summary>
    /// Finds the first CR not followed by LF or LF not preceded by CR. Such bytes are refused rather than relayed:
    /// a next hop that treats a bare LF as a line end could read "LF.LF" as the end of the data and the rest as
    /// a second, smuggled message (CVE-2023-51764 and its family).
    /// </summary>
    public static int IndexOfBareLineBreak(ReadOnlySpan<byte> body)
    {
        var offset = 0;
        while (true)
        {
            var i = body[offset..].IndexOfAny((byte)'\r', (byte)'\n');
            if (i < 0)
            {
                return -1;
            }

            i += offset;
            if (body[i] == '\n')
            {
                return i;
            }

            if (i + 1 >= body.Length || body[i + 1] != '\n')
            {
                return i;
            }

            offset = i + 2;
        }
    }
}
