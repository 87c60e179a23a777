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
/// bytes itself and passes on only what is safe: command lines within a length limit, no PROXY lines, no AUTH
/// before TLS, AUTH data the library can parse, no bytes pipelined after STARTTLS, and message data cut off at the
/// size limit; it also closes idle sessions, and when the front-end drains, ends the session with 421 4.3.2 at its
/// first moment outside a mail transaction. It takes BDAT chunks itself (<see cref="ChunkedMessage"/>), which the
/// library does not know. Outbound, it rewrites each reply with an enhanced status code.
/// Every line the library gets is queued with what its reply answers (replies come in command order), so each reply
/// is matched to its command, and a command the guard answers itself is carried by a NOOP whose reply it replaces.
/// </summary>
internal sealed class GuardedDuplexPipe : ISecurableDuplexPipe
{
    static readonly byte[] Crlf = "\r\n"u8.ToArray();
    static readonly byte[] Terminator = "\r\n.\r\n"u8.ToArray();

    readonly Socket _socket;
    readonly GuardLimits _limits;
    readonly Action _onDispose;
    readonly Pipe _inbound = new(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false));
    readonly ConcurrentQueue<PendingReply> _pending = new();
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
    volatile bool _continuationExpected;

    // From a MAIL command until the reply that ends its transaction: the drain lets the transaction finish.
    volatile bool _inTransaction;
    volatile bool _drainReplyPending;
    readonly ChunkedMessage _chunks;
    ReadOnlyMemory<byte>? _chunkedContent;
    BdatCommand _bdat;

    // Recipients the library accepted in the current transaction, counted from its replies, with their DSN parameters.
    int _recipientsAccepted;
    readonly List<DsnRecipient> _dsnRecipients = [];
    (DsnReturn Return, string? EnvelopeId)? _dsnMail;

    // The current MAIL asked for SMTPUTF8 (RFC 6531).
    bool _smtpUtf8;
    string? _authMechanism;

    // SASL XOAUTH2 and OAUTHBEARER, which the guard takes itself: the token's check, and where the exchange stands.
    readonly IBearerLogin? _bearer;
    BearerStep _bearerStep;
    bool _greeted;
    int _lastFinalCode;
    int _disposed;

    public GuardedDuplexPipe(Socket socket, GuardLimits limits, bool implicitTls, CancellationToken draining, Action onDispose, IBearerLogin? bearer = null)
    {
        _bearer = bearer;
        _socket = socket;
        _limits = limits;
        _onDispose = onDispose;
        _draining = draining;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _output = new ReplyWriter(this);
        _chunks = new ChunkedMessage(limits.MaxMessageSize);
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
    public static ReadOnlyMemory<byte>? ChunkedContent(SmtpServer.ISessionContext context)
    {
        if (context.Pipe is not GuardedDuplexPipe pipe || pipe._chunkedContent is not { } content)
        {
            return null;
        }

        pipe._chunkedContent = null;
        return content;
    }

    /// <summary>
    /// The transaction's DSN parameters (RFC 3461), its accepted recipients' in envelope order; null when the client
    /// gave none, as nearly all do.
    /// </summary>
    public static DsnEnvelope? Dsn(SmtpServer.ISessionContext context) => (context.Pipe as GuardedDuplexPipe)?.TransactionDsn();

    /// <summary>Whether the transaction's MAIL asked for SMTPUTF8.</summary>
    public static bool SmtpUtf8(SmtpServer.ISessionContext context) => context.Pipe is GuardedDuplexPipe { TransactionSmtpUtf8: true };

    /// <summary>The current transaction's DSN parameters; null when the client gave none.</summary>
    internal DsnEnvelope? TransactionDsn()
    {
        if (_dsnMail is null && _dsnRecipients.TrueForAll(d => d.IsEmpty))
        {
            return null;
        }

        var (ret, envelopeId) = _dsnMail ?? (DsnReturn.Unspecified, null);
        return new DsnEnvelope(ret, envelopeId, [.. _dsnRecipients]);
    }

    /// <summary>Whether the current transaction's MAIL asked for SMTPUTF8.</summary>
    internal bool TransactionSmtpUtf8 => _smtpUtf8;

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
                        await RefuseAsync(GuardVerbs.LineTooLong);
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
                    await RefuseAsync(GuardVerbs.LineTooLong);
                    continue;
                }

                switch (await HandleLineAsync(line))
                {
                    case LineResult.Drain:
                        await EndDrainedAsync();
                        return;

                    case LineResult.EnterData:
                        var afterData = await ForwardDataAsync(buffer, start, end);
                        if (afterData is null)
                        {
                            return;
                        }

                        (start, end) = afterData.Value;
                        break;

                    case LineResult.Chunk:
                        var afterChunk = await ReadChunkAsync(buffer, start, end, _bdat.Size);
                        if (afterChunk is null)
                        {
                            return;
                        }

                        (start, end) = afterChunk.Value;
                        await EndChunkAsync(_bdat);
                        break;

                    case LineResult.StartTls:
                        // Bytes that came with STARTTLS were sent before the handshake: an injection attempt
                        // (CVE-2011-0411 family), never commands of the secure session.
                        start = end = 0;
                        await _upgraded.Task.WaitAsync(_closed.Token);
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

    async Task<LineResult> HandleLineAsync(string line)
    {
        if (_bearerStep != BearerStep.None)
        {
            await ContinueBearerAsync(line);
            return LineResult.None;
        }

        if (_continuationExpected)
        {
            _continuationExpected = false;
            await ForwardLineAsync(SanitizeAuthResponse(line));
            return LineResult.None;
        }

        var space = line.IndexOfAny([' ', ':']);
        var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
        DsnRecipient rcptDsn = default;
        if (_draining.IsCancellationRequested && !_inTransaction && verb != "QUIT")
        {
            return LineResult.Drain;
        }

        switch (verb)
        {
            case "MAIL" or "RSET" or "HELO" or "EHLO":
                // A new transaction, or none: nothing of an earlier message's chunks may reach the store.
                _dsnMail = null;
                if (verb == "MAIL")
                {
                    // RFC 3461's RET and ENVID are the guard's to keep; the library gets the line without them.
                    if (!DsnParameters.TryTakeFromMail(line, out var mail, out var ret, out var envelopeId, out var refusal))
                    {
                        await AnswerAsync((_, _) => refusal);
                        return LineResult.None;
                    }

                    line = mail;
                    _dsnMail = ret != DsnReturn.Unspecified || envelopeId is not null ? (ret, envelopeId) : null;

                    // SMTPUTF8: the library reads domains as ASCII, so a UTF-8 one reaches it in its A-label form.
                    _smtpUtf8 = InternationalPath.AsksForSmtpUtf8(line);
                    if (!InternationalPath.TryNormalize(line, _smtpUtf8, sender: true, out var sender, out var senderRefusal))
                    {
                        await AnswerAsync((_, _) => senderRefusal);
                        return LineResult.None;
                    }

                    line = sender;
                    _inTransaction = true;
                }

                _chunks.Reset();
                _chunkedContent = null;
                break;

            case "BDAT":
                if (!BdatCommand.TryParse(line, out _bdat))
                {
                    await AnswerAsync((_, _) => "501 5.5.4 Syntax: BDAT chunk-size [LAST]");
                    return LineResult.None;
                }

                return LineResult.Chunk;

            case "DATA" or "RCPT" when _chunks.InProgress:
                await AnswerAsync((_, _) => $"503 5.5.1 {verb} may not follow BDAT in one transaction");
                return LineResult.None;

            case "RCPT":
                // NOTIFY and ORCPT likewise; they are matched to the recipient when its reply says it was accepted.
                if (!DsnParameters.TryTakeFromRcpt(line, out var rcpt, out rcptDsn, out var rcptRefusal))
                {
                    await AnswerAsync((_, _) => rcptRefusal);
                    return LineResult.None;
                }

                if (!InternationalPath.TryNormalize(rcpt, _smtpUtf8, sender: false, out var recipient, out var recipientRefusal))
                {
                    await AnswerAsync((_, _) => recipientRefusal);
                    return LineResult.None;
                }

                line = recipient;
                break;

            case "PROXY":
                await RefuseAsync(GuardVerbs.Proxy);
                return LineResult.None;

            case "AUTH" when !IsSecure:
                await RefuseAsync(GuardVerbs.AuthWithoutTls);
                return LineResult.None;

            case "AUTH":
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                _authMechanism = parts.Length > 1 ? parts[1].ToUpperInvariant() : null;
                if (_authMechanism is BearerResponse.XOAuth2 or BearerResponse.OAuthBearer && _bearer is not null)
                {
                    if (parts.Length > 2)
                    {
                        await BearerLoginAsync(parts[2]);
                    }
                    else
                    {
                        _bearerStep = BearerStep.Response;
                        await AnswerAsync((_, _) => "334 ");
                    }

                    return LineResult.None;
                }

                if (_authMechanism == "PLAIN" && parts.Length > 2 && !AuthPayload.IsValidPlain(parts[2]))
                {
                    line = $"{parts[0]} {parts[1]} {AuthPayload.FailingPlain}";
                }
                else if (_authMechanism == "LOGIN" && parts.Length > 2 && !AuthPayload.IsBase64(parts[2]))
                {
                    line = $"{parts[0]} {parts[1]}";
                }

                break;

            case "DATA" when line.Length == 4:
                DataTooLarge = false;
                return await ForwardAwaitingReplyAsync(verb, line) == 354 ? LineResult.EnterData : LineResult.None;

            case "STARTTLS" when line.Length == 8:
                return await ForwardAwaitingReplyAsync(verb, line) == 220 ? LineResult.StartTls : LineResult.None;
        }

        _pending.Enqueue(new PendingReply(verb, null, Dsn: rcptDsn));
        await ForwardLineAsync(line);
        return LineResult.None;
    }

    /// <summary>
    /// The client's line in a bearer exchange: its first response (after an empty 334), or its answer to an error
    /// challenge, which ends the exchange with 535 (RFC 7628 section 3.2.3). "*" cancels either (RFC 4954).
    /// </summary>
    async Task ContinueBearerAsync(string line)
    {
        var step = _bearerStep;
        _bearerStep = BearerStep.None;
        if (line == "*")
        {
            await AnswerAsync((_, _) => "501 5.7.0 Authentication cancelled");
        }
        else if (step == BearerStep.Response)
        {
            await BearerLoginAsync(line);
        }
        else
        {
            await FailAuthAsync();
        }
    }

    /// <summary>
    /// Checks a bearer token. A valid one becomes an AUTH PLAIN with a one-time ticket, which the library's
    /// authenticator turns into the token's credential, so the session is logged in as by a password. A refused one
    /// gets the JSON error challenge, and 535 after the client's answer.
    /// </summary>
    async Task BearerLoginAsync(string response)
    {
        if (!BearerResponse.TryParse(_authMechanism!, response, out var bearer))
        {
            await FailAuthAsync();
            return;
        }

        BearerLoginResult result;
        try
        {
            result = await _bearer!.LoginAsync(bearer, _closed.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The cluster could not be asked (the domain, the issuers): a temporary failure, never a 535.
            await AnswerAsync((_, _) => "454 4.7.0 Temporary authentication failure; try again later");
            return;
        }

        if (result.PlainResponse is { } plain)
        {
            _authMechanism = "PLAIN";
            _pending.Enqueue(new PendingReply("AUTH", null));
            await ForwardLineAsync($"AUTH PLAIN {plain}");
            return;
        }

        _bearerStep = BearerStep.ErrorAnswer;
        await AnswerAsync((_, _) => $"334 {BearerResponse.ErrorChallenge(result.Status ?? "invalid_token")}");
    }

    /// <summary>A failed login, answered by the library's authenticator so that it counts toward the client's lockout.</summary>
    async Task FailAuthAsync()
    {
        _authMechanism = "PLAIN";
        _pending.Enqueue(new PendingReply("AUTH", null));
        await ForwardLineAsync($"AUTH PLAIN {AuthPayload.FailingPlain}");
    }

    string SanitizeAuthResponse(string line) => _authMechanism switch
    {
        // Anything the library cannot parse would fault the session: it gets a well-formed, failing response instead.
        "PLAIN" => AuthPayload.IsValidPlain(line) ? line : AuthPayload.FailingPlain,
        _ => AuthPayload.IsBase64(line) ? line : "",
    };

    /// <summary>
    /// Ends a drained session: its last reply (421 4.3.2) goes through the library like any other, so it follows every
    /// reply still owed; then the library sees the end of input and closes the session.
    /// </summary>
    async Task EndDrainedAsync()
    {
        _continuationExpected = false;
        _pending.Enqueue(new PendingReply(GuardVerbs.Drain, null));
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

    /// <summary>While draining, wakes a session waiting for its next command once it owes no reply and is between transactions.</summary>
    void DrainIfIdle()
    {
        if (_draining.IsCancellationRequested && !_inTransaction && _pending.IsEmpty && !_continuationExpected)
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

    async Task<int> ForwardAwaitingReplyAsync(string verb, string line, Func<int, string, string?>? answer = null)
    {
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Enqueue(new PendingReply(verb, reply, answer));
        await ForwardLineAsync(line);
        return await reply.Task.WaitAsync(_closed.Token);
    }

    async Task RefuseAsync(string marker)
    {
        _pending.Enqueue(new PendingReply(marker, null));
        await ForwardLineAsync(GuardVerbs.Replacement);
    }

    /// <summary>
    /// Answers a command the guard handles itself, in its place among the replies: the library gets a NOOP (valid in
    /// any state, and not an error it would count) and <paramref name="answer"/> replaces its reply, when it is sent.
    /// </summary>
    async Task AnswerAsync(Func<int, string, string?> answer)
    {
        _pending.Enqueue(new PendingReply("NOOP", null, answer));
        await ForwardLineAsync("NOOP");
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
            _chunks.Append(buffer.AsSpan(start, take));
            start += take;
            left -= take;
        }

        return (start, end);
    }

    /// <summary>
    /// Answers a chunk. One that is not the last gets 250 once the replies before it show a transaction with a
    /// recipient. The last asks the library for DATA: its 354 is not sent, the data ends at once, and the store takes
    /// the chunks' octets, so the reply to the message is the reply to BDAT LAST. A message over the size limit is
    /// refused at its last chunk, and the library's transaction is reset with it.
    /// </summary>
    async Task EndChunkAsync(BdatCommand command)
    {
        if (!command.Last)
        {
            _chunks.Continue();
            var tooLarge = _chunks.TooLarge;
            await AnswerAsync((_, _) => !_inTransaction ? "503 5.5.1 Bad sequence of commands (MAIL first)"
                : _recipientsAccepted == 0 ? "554 5.5.1 No valid recipients"
                : tooLarge ? TooLargeReply
                : $"250 2.0.0 {command.Size} octets received");
            return;
        }

        if (_chunks.TooLarge)
        {
            _chunks.Reset();
            _pending.Enqueue(new PendingReply("RSET", null, (_, _) => TooLargeReply));
            await ForwardLineAsync("RSET");
            return;
        }

        var content = _chunks.Complete();
        DataTooLarge = false;
        if (await ForwardAwaitingReplyAsync("DATA", "DATA", (code, line) => code == 354 ? null : ReplyRewriter.Rewrite("DATA", line)) != 354)
        {
            return;
        }

        _chunkedContent = content;
        _pending.Enqueue(new PendingReply(GuardVerbs.EndOfData, null));
        await WriteInboundAsync(Terminator);
    }

    const string TooLargeReply = "552 5.3.4 Message size exceeds fixed maximum message size";

    /// <summary>
    /// Passes message data to the library up to and including the CRLF.CRLF that ends it, as the library itself
    /// finds it. Returns where the commands after the data start in <paramref name="buffer"/>, or null at end of stream.
    /// </summary>
    async Task<(int Start, int End)?> ForwardDataAsync(byte[] buffer, int start, int end)
    {
        var matched = 0;
        long forwarded = 0;
        var firstLine = true;
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
                    _pending.Enqueue(new PendingReply(GuardVerbs.EndOfData, null));
                    await WriteInboundAsync(Terminator);
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
                _pending.Enqueue(new PendingReply(GuardVerbs.EndOfData, null));
                if (DataTooLarge)
                {
                    // The data was cut off at the limit; end it cleanly so the library answers, and the store refuses it.
                    await WriteInboundAsync(Terminator);
                }
                else
                {
                    await WriteInboundAsync(chunk);
                }

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
        if (code == 334)
        {
            _continuationExpected = true;
            return line;
        }

        string? verb = null;
        Func<int, string, string?>? answer = null;
        if (_pending.TryDequeue(out var pending))
        {
            verb = pending.Verb;
            answer = pending.Answer;
            pending.Reply?.TrySetResult(code);
        }

        if (verb == "MAIL")
        {
            _recipientsAccepted = 0;
            _dsnRecipients.Clear();
        }
        else if (verb == "RCPT" && code is 250 or 251)
        {
            _recipientsAccepted++;
            _dsnRecipients.Add(pending!.Dsn);
        }

        if (verb is "MAIL" && code != 250 || verb is GuardVerbs.EndOfData or "RSET" or "HELO" or "EHLO" || verb is "DATA" && code != 354)
        {
            _inTransaction = false;
        }

        if (verb == GuardVerbs.Drain)
        {
            _drainReplyPending = true;
        }

        if (code == 221 && _lastFinalCode == 535)
        {
            verb = "AUTH";
        }

        _lastFinalCode = code;
        return answer is not null ? answer(code, line) : ReplyRewriter.Rewrite(verb, line);
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

    enum BearerStep
    {
        None,

        /// <summary>An empty 334 was sent: the next line is the client's first response.</summary>
        Response,

        /// <summary>The error challenge was sent: the next line is the client's (dummy) answer.</summary>
        ErrorAnswer,
    }

    enum LineResult
    {
        None,
        EnterData,
        StartTls,
        Drain,
        Chunk,
    }

    /// <summary>A line given to the library: the command its reply answers, who waits for the code, and what replaces the reply.</summary>
    sealed record PendingReply(string Verb, TaskCompletionSource<int>? Reply, Func<int, string, string?>? Answer = null, DsnRecipient Dsn = default);

    sealed class IdleTimeoutException : Exception;

    sealed class DrainException : Exception;
}
