using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Sendarix.Reception.Protocol;

/// <summary>The library's output: collects what it writes and, on flush, sends each line rewritten.</summary>
internal sealed class ReplyWriter(GuardedDuplexPipe pipe) : PipeWriter
{
    readonly ArrayBufferWriter<byte> _buffer = new(512);

    public override void Advance(int bytes) => _buffer.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.GetSpan(sizeHint);

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var text = Encoding.UTF8.GetString(_buffer.WrittenSpan);
        var lastBreak = text.LastIndexOf("\r\n", StringComparison.Ordinal);
        if (lastBreak < 0)
        {
            return default;
        }

        var output = new StringBuilder(text.Length + 32);
        foreach (var line in text[..lastBreak].Split("\r\n"))
        {
            if (pipe.RewriteReply(line) is { } rewritten)
            {
                output.Append(rewritten).Append("\r\n");
            }
        }

        // Keep an unfinished line for the next flush.
        var rest = Encoding.UTF8.GetBytes(text[(lastBreak + 2)..]);
        _buffer.ResetWrittenCount();
        _buffer.Write(rest);
        if (output.Length > 0)
        {
            await pipe.SendRawAsync(Encoding.UTF8.GetBytes(output.ToString()), cancellationToken);
        }

        pipe.RepliesSent();
        return default;
    }
}
