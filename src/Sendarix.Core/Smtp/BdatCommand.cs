namespace Sendarix.Core.Smtp;

/// <summary>
/// A BDAT command line (RFC 3030): <c>BDAT chunk-size [LAST]</c>, the size in octets as decimal digits. The chunk's
/// octets follow the line exactly, with no dot-stuffing and no terminator.
/// </summary>
public readonly record struct BdatCommand(long Size, bool Last)
{
    // Beyond this the number is not a size any relay would take; the line is refused as a syntax error.
    const int MaxDigits = 18;

    /// <summary>Parses a whole command line (without CRLF) whose verb is BDAT.</summary>
    public static bool TryParse(string line, out BdatCommand command)
    {
        command = default;
        var parts = line.Split(' ');
        if (parts.Length is < 2 or > 3 || !parts[0].Equals("BDAT", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var size = parts[1];
        if (size.Length is 0 or > MaxDigits || !size.All(char.IsAsciiDigit))
        {
            return false;
        }

        var last = parts.Length == 3;
        if (last && !parts[2].Equals("LAST", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        command = new BdatCommand(long.Parse(size, System.Globalization.CultureInfo.InvariantCulture), last);
        return true;
    }
}
