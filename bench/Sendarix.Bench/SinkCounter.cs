using System.Globalization;
using System.Text;

namespace Sendarix.Bench;

/// <summary>
/// Reads the running counter that Postfix's `smtp-sink -c` writes on its output: one "sess=N quit=N mesg=N" record
/// per event, each ended by a CR. Only the file's tail is read, so polling stays cheap however long the run.
/// </summary>
internal sealed class SinkCounter(string path)
{
    const string Marker = "mesg=";

    public long Read()
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = file.Length;
        var start = Math.Max(0, length - 512);
        file.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[length - start];
        file.ReadExactly(buffer);
        var text = Encoding.ASCII.GetString(buffer);

        // The record being written may be cut short: take the last one that is ended by its CR.
        var end = text.LastIndexOf('\r');
        while (end > 0)
        {
            var at = text.LastIndexOf(Marker, end, StringComparison.Ordinal);
            if (at >= 0 && long.TryParse(text.AsSpan(at + Marker.Length, end - at - Marker.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                return count;
            }

            end = text.LastIndexOf('\r', end - 1);
        }

        // Nothing received yet (the sink writes only when something happens).
        return 0;
    }
}
