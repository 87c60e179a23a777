using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Sendarix.Core.Smtp;
using SmtpServer.IO;

namespace Sendarix.Reception.Protocol;

/// <summary>
/// Stands between a client's socket and the SMTP library, in both directions. Inbound, it reads the client's
/// bytes itself: command lines within a length limit, message data up to its terminator and cut off at the size
/// limit, BDAT chunks by their octet counts, nothing pipelined after STARTTLS; each line goes to the state table
/// (<see cref="GuardProtocol"/>), whose handlers decide what the library gets. It also closes idle sessions, and when
/// the front-end drains, ends the session with 421 4.3.2 at its first moment outside a mail transaction. Outbound, it
/// matches each reply to the command it answers and rewrites it with an enhanced status code.
/// </summary>
internal sealed class GuardedDuplexPipe : ISecurableDuplexPipe, IGuardLink
{
    static readonly byte[] Crlf = "\r\n"u8.ToArray();
    static readonly byte[] Terminator = "\r\n.\r\n"u8.ToArray();

    readonly Socket _socket;
    readonly GuardLimits _limits;
    readonly Action _onDispose;
    readonly Pipe _inbound = new(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));
    readonly ConcurrentQueue<GuardCommand> _pending = new();
    readonly GuardProtocol _protocol;
    readonly SemaphoreSlim _sendLock = new(1, 1);
    readonly CancellationTokenSource _closed = new();
    readonly CancellationToken _draining;
    readonly CancellationTokenSource _drainNow = new();
    readonly TaskCompletionSource _drainReplySent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly CancellationTokenRegistration _drainRegistration;
    readonly ReplyWriter _output;
    Stream _stream;
    TaskCompletionSource _upgraded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    bool _pumpStarted;
    volatile bool _drainReplyPending;
    bool _greeted;
    bool _closingAfterLogins;
    int _disposed;

    public GuardedDuplexPipe(Socket socket, GuardLimits limits, bool implicitTls, CancellationToken draining, Action onDispose, IBearerLogin? bearer = null)
    {
        _socket = socket;
        _limits = limits;
        _onDispose = onDispose;
        _draining = draining;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _output = new ReplyWriter(this);
        _protocol = new GuardProtocol(limits.MaxMessageSize, bearer, draining);
        if (!implicitTls)
        {
            StartPump();
        }

        _drainRegistration = draining.Register(DrainIfIdle);
    }

    public PipeReader Input => _inbound.Reader;

    public PipeWriter Output => _output;

    public bool IsSecure => _stream is SslStream;

    public SslProtocols SslProtocol => (_stream as SslStream)?.SslProtocol ?? SslProtocols.None;

    /// <summary>True when the current message's data went past the size limit and was cut off.</summary>
    public bool DataTooLarge { get; private set; }

    /// <summary>The message the client sent with BDAT, once for the store: null when it came with DATA.</summary>
    public static ReadOnlyMemory<byte>? ChunkedContent(SmtpServer.ISessionContext context) =>
        (context.Pipe as GuardedDuplexPipe)?._protocol.Chunking.TakeContent();

    /// <summary>
    /// The transaction's DSN parameters (RFC 3461), its accepted recipients' in envelope order; null when the client
    /// gave none, as nearly all do.
    /// </summary>
    public static DsnEnvelope? Dsn(SmtpServer.ISessionContext context) => (context.Pipe as GuardedDuplexPipe)?.TransactionDsn();

    /// <summary>Whether the transaction's MAIL asked for SMTPUTF8.</summary>
    public static bool SmtpUtf8(SmtpServer.ISessionContext context) => context.Pipe is GuardedDuplexPipe { TransactionSmtpUtf8: true };

    /// <summary>The current transaction's DSN parameters; null when the client gave none.</summary>
    internal DsnEnvelope? TransactionDsn() => _protocol.Dsn.Envelope();

    /// <summary>Whether the current transaction's MAIL asked for SMTPUTF8.</summary>
    internal bool TransactionSmtpUtf8 => _protocol.SmtpUtf8.Asked;

    /// <summary>Whether the DATA just received went past <paramref name="max"/>: cut off by the guard, or longer than allowed.</summary>
    public static bool Exceeded(SmtpServer.ISessionContext context, long length, int max) =>
        context.Pipe is GuardedDuplexPipe { DataTooLarge: true } || length > max;

    public async Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        timeout.CancelAfter(_limits.TlsHandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = protocols,
                ClientCertificateRequired = false,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, timeout.Token);
        }
        catch (Exception ex)
        {
            await ssl.DisposeAsync();
            _upgraded.TrySetException(ex);
            throw;
        }

        _stream = ssl;
        if (!_pumpStarted)
        {
            StartPump();
        }

        _upgraded.TrySetResult();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _closed.Cancel();
        _drainRegistration.Dispose();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the client.
        }
        catch (ObjectDisposedException)
        {
        }

        _stream.Dispose();
        _socket.Dispose();
        _onDispose();
    }

    void StartPump()
    {
        _pumpStarted = true;
        _ = Task.Run(PumpAsync);
    }

    async Task PumpAsync()
    {
        var buffer = new byte[Math.Max(16 * 1024, _limits.MaxCommandLineLength * 2)];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                var lf = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (lf < 0)
                {
                    if (end - start > _limits.MaxCommandLineLength)
                    {
                        await _protocol.OnLineTooLongAsync(this);
                        var rest = await DiscardLineAsync(buffer);
                        if (rest < 0)
                        {
                            return;
                        }

                        (start, end) = (0, rest);
                        continue;
                    }

                    (start, end) = Compact(buffer, start, end);
                    var read = await ReadAsync(buffer.AsMemory(end));
                    if (read == 0)
                    {
                        return;
                    }

                    end += read;
                    continue;
                }

                var length = lf - start;
                if (length > 0 && buffer[lf - 1] == '\r')
                {
                    length--;
                }

                var line = Encoding.UTF8.GetString(buffer, start, length);
                start = lf + 1;
                if (length > _limits.MaxCommandLineLength)
                {
                    await _protocol.OnLineTooLongAsync(this);
                    continue;
                }

                switch (await _protocol.OnLineAsync(line, this))
                {
                    case GuardState.Drained:
                        await EndDrainedAsync();
                        return;

                    case GuardState.Data:
                        var afterData = await ForwardDataAsync(buffer, start, end);
                        if (afterData is null)
                        {
                            return;
                        }

                        (start, end) = afterData.Value;
                        _protocol.Resume();
                        break;

                    case GuardState.Chunk:
                        var afterChunk = await ReadChunkAsync(buffer, start, end, _protocol.Chunking.ChunkSize);
                        if (afterChunk is null)
                        {
                            return;
                        }

                        (start, end) = afterChunk.Value;
                        await _protocol.OnChunkReadAsync(this);
                        break;

                    case GuardState.TlsHandshake:
                        // Bytes that came with STARTTLS were sent before the handshake: an injection attempt
                        // (CVE-2011-0411 family), never commands of the secure session.
                        start = end = 0;
                        await _upgraded.Task.WaitAsync(_closed.Token);
                        _protocol.Resume();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException or AuthenticationException)
        {
        }
        catch (IdleTimeoutException)
        {
            await SendRawAsync("421 4.4.2 Idle timeout; closing connection\r\n"u8.ToArray());
        }
        catch (DrainException)
        {
            await EndDrainedAsync();
        }
        finally
        {
            await _inbound.Writer.CompleteAsync();
        }
    }

    /// <summary>
    /// Ends a drained session: its last reply (421 4.3.2) goes through the library like any other, so it follows every
    /// reply still owed; then the library sees the end of input and closes the session.
    /// </summary>
    async Task EndDrainedAsync()
    {
        _pending.Enqueue(new GuardCommand(GuardVerbs.Drain, GuardVerbs.Replacement));
        await ForwardLineAsync(GuardVerbs.Replacement);
        try
        {
            await _drainReplySent.Task.WaitAsync(_limits.IdleTimeout, _closed.Token);
        }
        catch (TimeoutException)
        {
            // The library never answered; the session ends all the same.
        }
    }

    /// <summary>
    /// While draining, wakes a session waiting for its next command once it owes no reply and is between transactions
    /// (and not in a login exchange).
    /// </summary>
    void DrainIfIdle()
    {
        if (_draining.IsCancellationRequested && _protocol.State == GuardState.Command && !_protocol.Transaction.Open && _pending.IsEmpty)
        {
            _drainNow.Cancel();
        }
    }

    /// <summary>Called once the replies of one flush are on the wire.</summary>
    internal void RepliesSent()
    {
        if (_drainReplyPending)
        {
            _drainReplySent.TrySetResult();
        }

        DrainIfIdle();
    }

    bool IGuardLink.IsSecure => IsSecure;

    CancellationToken IGuardLink.Closed => _closed.Token;

    async ValueTask IGuardLink.PassAsync(GuardCommand command) => await PassAsync(command);

    async ValueTask<int> IGuardLink.PassAndWaitAsync(GuardCommand command)
    {
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        command.WhenReplied(code => reply.TrySetResult(code));
        await PassAsync(command);
        return await reply.Task.WaitAsync(_closed.Token);
    }

    async ValueTask IGuardLink.AnswerAsync(Func<string> reply) =>
        await PassAsync(new GuardCommand("NOOP", "NOOP") { Answer = (_, _) => reply() });

    async ValueTask IGuardLink.RefuseAsync(string marker) => await RefuseAsync(marker);

    async ValueTask IGuardLink.EndDataAsync()
    {
        DataTooLarge = false;
        await EndDataAsync(Terminator);
    }

    async Task PassAsync(GuardCommand command)
    {
        _pending.Enqueue(command);
        await ForwardLineAsync(command.Line);
    }

    Task RefuseAsync(string marker) => PassAsync(new GuardCommand(marker, GuardVerbs.Replacement));


    /// <summary>Ends the message's data with its last bytes; the reply is the message's own.</summary>
    async Task EndDataAsync(ReadOnlyMemory<byte> last)
    {
        _pending.Enqueue(new GuardCommand(GuardVerbs.EndOfData, GuardVerbs.EndOfData));
        await WriteInboundAsync(last);
    }

    /// <summary>
    /// Reads a BDAT chunk's octets, exactly <paramref name="size"/> of them, into the message (or drops them once it is
    /// too large). Returns where the commands after the chunk start in <paramref name="buffer"/>, or null at end of stream.
    /// </summary>
    async Task<(int Start, int End)?> ReadChunkAsync(byte[] buffer, int start, int end, long size)
    {
        var left = size;
        while (left > 0)
        {
            if (start == end)
            {
                (start, end) = (0, await ReadAsync(buffer.AsMemory()));
                if (end == 0)
                {
                    return null;
                }
            }

            var take = (int)Math.Min(left, end - start);
            _protocol.Chunking.Append(buffer.AsSpan(start, take));
            start += take;
            left -= take;
        }

        return (start, end);
    }

    /// <summary>
    /// Passes message data to the library up to and including the CRLF.CRLF that ends it, as the library itself
    /// finds it. Returns where the commands after the data start in <paramref name="buffer"/>, or null at end of stream.
    /// </summary>
    async Task<(int Start, int End)?> ForwardDataAsync(byte[] buffer, int start, int end)
    {
        var matched = 0;
        long forwarded = 0;
        var firstLine = true;
        DataTooLarge = false;
        while (true)
        {
            if (start == end)
            {
                (start, end) = (0, await ReadAsync(buffer.AsMemory()));
                if (end == 0)
                {
                    return null;
                }
            }

            if (firstLine)
            {
                // The library misses a terminator or dot-stuffing on the very first line; settle those here.
                if (buffer[start] == '.' && end - start < 3)
                {
                    (start, end) = Compact(buffer, start, end);
                    var read = await ReadAsync(buffer.AsMemory(end));
                    if (read == 0)
                    {
                        return null;
                    }

                    end += read;
                    continue;
                }

                firstLine = false;
                if (buffer.AsSpan(start).StartsWith(".\r\n"u8))
                {
                    await EndDataAsync(Terminator);
                    return (start + 3, end);
                }

                if (buffer.AsSpan(start).StartsWith(".."u8))
                {
                    start++;
                }
            }

            var i = start;
            for (; i < end && matched < Terminator.Length; i++)
            {
                var b = buffer[i];
                matched = b == Terminator[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            }

            var chunk = buffer.AsMemory(start, i - start);
            if (matched == Terminator.Length)
            {
                // Data cut off at the limit ends cleanly, so the library answers, and the store refuses it.
                await EndDataAsync(DataTooLarge ? Terminator : chunk);
                return (i, end);
            }

            forwarded += chunk.Length;
            if (forwarded > _limits.MaxMessageSize)
            {
                DataTooLarge = true;
            }
            else
            {
                await WriteInboundAsync(chunk);
            }

            start = end = 0;
        }
    }

    /// <summary>
    /// Reads and drops the rest of an over-long line. Returns how many bytes after its end are now at the start of
    /// <paramref name="buffer"/> (pipelined commands), or -1 at end of stream.
    /// </summary>
    async Task<int> DiscardLineAsync(byte[] buffer)
    {
        while (true)
        {
            var read = await ReadAsync(buffer.AsMemory());
            if (read == 0)
            {
                return -1;
            }

            var lf = Array.IndexOf(buffer, (byte)'\n', 0, read);
            if (lf >= 0)
            {
                Array.Copy(buffer, lf + 1, buffer, 0, read - lf - 1);
                return read - lf - 1;
            }
        }
    }

    async ValueTask<int> ReadAsync(Memory<byte> memory)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token, _drainNow.Token);
        idle.CancelAfter(_limits.IdleTimeout);
        try
        {
            return await _stream.ReadAsync(memory, idle.Token);
        }
        catch (OperationCanceledException) when (_drainNow.IsCancellationRequested && !_closed.IsCancellationRequested)
        {
            throw new DrainException();
        }
        catch (OperationCanceledException) when (!_closed.IsCancellationRequested)
        {
            throw new IdleTimeoutException();
        }
    }

    async Task ForwardLineAsync(string line)
    {
        var writer = _inbound.Writer;
        var count = Encoding.UTF8.GetByteCount(line);
        var span = writer.GetSpan(count + 2);
        Encoding.UTF8.GetBytes(line, span);
        Crlf.CopyTo(span[count..]);
        writer.Advance(count + 2);
        await writer.FlushAsync(_closed.Token);
    }

    async Task WriteInboundAsync(ReadOnlyMemory<byte> bytes) => await _inbound.Writer.WriteAsync(bytes, _closed.Token);

    static (int Start, int End) Compact(byte[] buffer, int start, int end)
    {
        if (start > 0)
        {
            Array.Copy(buffer, start, buffer, 0, end - start);
        }

        return (0, end - start);
    }

    /// <summary>Rewrites one reply line the library wrote, keeping track of which command it answers; null: not sent at all.</summary>
    internal string? RewriteReply(string line)
    {
        if (!_greeted)
        {
            _greeted = true;
            return line;
        }

        if (line.Length < 3 || (line.Length > 3 && line[3] == '-'))
        {
            return line;
        }

        _ = int.TryParse(line.AsSpan(0, 3), out var code);
        if (_closingAfterLogins)
        {
            // The library follows a client's last allowed failed login with a 221 of its own: it answers that AUTH too.
            _closingAfterLogins = false;
            return ReplyRewriter.Rewrite("AUTH", line);
        }

        if (!_pending.TryDequeue(out var command))
        {
            // A reply of the library's own (an idle time-out): it answers no command.
            return ReplyRewriter.Rewrite(null, line);
        }

        _protocol.OnReply(command, code);
        if (command.Verb == GuardVerbs.Drain)
        {
            _drainReplyPending = true;
        }

        _closingAfterLogins = command.Verb == "AUTH" && code == 535 && line.EndsWith(" 0 attempt(s) remaining.", StringComparison.Ordinal);
        return command.Answer is { } answer ? answer(code, line) : ReplyRewriter.Rewrite(command.Verb, line);
    }

    internal async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // The client went away; the session ends on its next read.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    sealed class IdleTimeoutException : Exception;

    sealed class DrainException : Exception;
}
