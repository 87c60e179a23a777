using System.Buffers;

namespace Sendarix.Reception.Protocol;

/// <summary>
/// The octets of one message sent with BDAT (RFC 3030), gathered chunk by chunk as the guard reads them. The library
/// knows only DATA: at the LAST chunk the guard asks it for DATA and ends the data at once, and the store takes the
/// message from here instead (<see cref="Handlers.ChunkingHandler.TakeContent"/>), so it is stored byte for byte as sent
/// and every rule of the store (size, bare CR/LF, From, tags) applies as it does to DATA.
/// </summary>
internal sealed class ChunkedMessage(long maxSize)
{
    ArrayBufferWriter<byte>? _content;
    long _length;

    /// <summary>True once a chunk that is not the last was taken in this transaction: DATA and RCPT may not follow.</summary>
    public bool InProgress { get; private set; }

    /// <summary>True once the chunks went past the size limit; what follows is read and dropped.</summary>
    public bool TooLarge { get; private set; }

    public void Append(ReadOnlySpan<byte> octets)
    {
        _length += octets.Length;
        if (TooLarge)
        {
            return;
        }

        if (_length > maxSize)
        {
            TooLarge = true;
            _content = null;
            return;
        }

        (_content ??= new ArrayBufferWriter<byte>(Math.Max(octets.Length, 4096))).Write(octets);
    }

    /// <summary>Marks that a chunk other than the last was taken.</summary>
    public void Continue() => InProgress = true;

    /// <summary>The whole message, at its LAST chunk; the transaction's chunks start again empty.</summary>
    public ReadOnlyMemory<byte> Complete()
    {
        var content = _content is { } c ? c.WrittenMemory : ReadOnlyMemory<byte>.Empty;
        Reset();
        return content;
    }

    /// <summary>Forgets the transaction's chunks (a new transaction, RSET, or a refused message).</summary>
    public void Reset()
    {
        _content = null;
        _length = 0;
        InProgress = false;
        TooLarge = false;
    }
}
