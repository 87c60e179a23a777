using System.Globalization;
using Azure.Data.Tables;

namespace Sendarix.Storage;

/// <summary>
/// Long text in a table row: a string property holds 64 KB (32 K UTF-16 characters), so longer text is split across
/// "{name}", "{name}1", "{name}2"... and joined again on reading.
/// </summary>
internal static class TableText
{
    const int ChunkCharacters = 30_000;

    public static void Write(TableEntity row, string name, string text)
    {
        for (var i = 0; i == 0 || i * ChunkCharacters < text.Length; i++)
        {
            var start = Math.Min(i * ChunkCharacters, text.Length);
            row[Name(name, i)] = text.Substring(start, Math.Min(ChunkCharacters, text.Length - start));
        }
    }

    public static string? Read(TableEntity row, string name)
    {
        if (row.GetString(name) is not { } text)
        {
            return null;
        }

        for (var i = 1; row.GetString(Name(name, i)) is { } more; i++)
        {
            text += more;
        }

        return text;
    }

    static string Name(string name, int index) => index == 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}{index}");
}
