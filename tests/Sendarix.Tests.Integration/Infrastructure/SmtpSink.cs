using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// A destination SMTP server for tests, on a loopback address of the test's choosing. It records what it receives
/// and can be scripted per command: answer the greeting with 421, refuse a recipient with 450 or 550, or hang.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    readonly TcpListener _listener;
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;
    int _connections;
    int _active;
    int _maxActive;
    int _dataReceived;

    public SmtpSink(IPAddress? address = null, int port = 0)
    {
        _listener = new TcpListener(address ?? IPAddress.Loopback, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public string HostPort => $"{EndPoint.Address}:{EndPoint.Port}";

    /// <summary>The greeting line for the n-th connection (0-based); default "220 sink.test ESMTP".</summary>
    public Func<int, string> Greeting { get; set; } = _ => "220 sink.test ESMTP";

    /// <summary>A greeting for connections from this client address instead of the usual one (e.g. a 421 to one egress IP); null: none.</summary>
    public Func<IPAddress, string?> GreetingFor { get; set; } = _ => null;

    /// <summary>The reply to RCPT for an address; default accept.</summary>
    public Func<string, string> RcptReply { get; set; } = _ => "250 2.1.5 OK";

    /// <summary>A reply to RCPT for connections from this client address instead of <see cref="RcptReply"/>'s; null: none.</summary>
    public Func<IPAddress, string?> RcptReplyFor { get; set; } = _ => null;

    /// <summary>The reply at the end of DATA; default accept.</summary>
    public Func<string> DataReply { get; set; } = () => "250 2.0.0 OK";

    /// <summary>Awaited after a message's data has arrived and before its final reply (a destination that is slow to answer).</summary>
    public Func<Task> BeforeDataReply { get; set; } = () => Task.CompletedTask;

    /// <summary>Messages whose data arrived, whatever the reply.</summary>
    public int DataReceived => Volatile.Read(ref _dataReceived);

    /// <summary>When set, the sink stops answering after the greeting (a destination that hangs).</summary>
    public bool HangAfterGreeting { get; set; }

    /// <summary>When set, the sink offers STARTTLS with a self-signed certificate (or <see cref="CertificateNames"/>'s).</summary>
    public bool OfferStartTls { get; init; }

    /// <summary>When set, STARTTLS presents a certificate for these names issued by <see cref="TestCa"/>, which relays trust.</summary>
    public string[]? CertificateNames
    {
        init => _certificate = value is { Length: > 0 } ? TestCa.Issue(value) : null;
    }

    X509Certificate2? _certificate;

    public ConcurrentQueue<ReceivedMail> Messages { get; } = new();

    /// <summary>
    /// When set, the sink offers AUTH XOAUTH2 after STARTTLS, takes a login only when this accepts the user and bearer
    /// token (answering a refused one as Gmail and Office 365 do: a JSON error challenge, then 535), and refuses mail
    /// before a login.
    /// </summary>
    public Func<string, string, bool>? XOAuth2 { get; init; }

    /// <summary>Whether EHLO offers SMTPUTF8 (RFC 6531), as a destination that takes internationalised mail does.</summary>
    public bool OfferSmtpUtf8 { get; init; }

    /// <summary>Whether EHLO offers DSN (RFC 3461), so that a client passes NOTIFY, RET, ENVID and ORCPT on.</summary>
    public bool OfferDsn { get; init; }

    /// <summary>Every MAIL command received, as sent (with its parameters).</summary>
    public ConcurrentQueue<string> MailCommands { get; } = new();

    /// <summary>Every RCPT command received, as sent (with its parameters).</summary>
    public ConcurrentQueue<string> RcptCommands { get; } = new();

    /// <summary>The users logged in with XOAUTH2, one entry per login.</summary>
    public ConcurrentQueue<string> Logins { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections accepted, by client address (refused ones included).</summary>
    public ConcurrentDictionary<IPAddress, int> ConnectionsFrom { get; } = new();

    /// <summary>The most connections that were open at the same time (a connection counts until its QUIT).</summary>
    public int MaxConcurrentConnections => Volatile.Read(ref _maxActive);

    public Task<IReadOnlyList<ReceivedMail>> WaitForMessagesAsync(int count, TimeSpan timeout) =>
        Eventually.GetAsync(() => Task.FromResult<IReadOnlyList<ReceivedMail>>(Messages.ToList()), m => m.Count >= count, timeout, $"{count} messages at the sink");

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var index = Interlocked.Increment(ref _connections) - 1;
            _ = Task.Run(() => ServeAsync(client, index));
        }
    }

    async Task ServeAsync(TcpClient client, int index)
    {
        using var _ = client;
        var active = Interlocked.Increment(ref _active);
        var open = true;
        for (var max = Volatile.Read(ref _maxActive); active > max; max = Volatile.Read(ref _maxActive))
        {
            Interlocked.CompareExchange(ref _maxActive, active, max);
        }

        Stream stream = client.GetStream();
        string? helo = null;
        var reader = new LineReader(stream);
        async Task Send(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), _stop.Token);

        try
        {
            var clientAddress = ((IPEndPoint)client.Client.RemoteEndPoint!).Address;
            ConnectionsFrom.AddOrUpdate(clientAddress, 1, (_, n) => n + 1);
            var greeting = GreetingFor(clientAddress) ?? Greeting(index);
            await Send(greeting);
            if (!greeting.StartsWith("220", StringComparison.Ordinal))
            {
                return;
            }

            if (HangAfterGreeting)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            string from = "";
            var rcpts = new List<string>();
            (string User, string Token)? authenticated = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', ':')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        helo = line.Length > 5 ? line[5..].Trim() : null;
                        await Send(OfferStartTls && stream is not SslStream
                            ? "250-sink.test\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 SIZE 104857600"
                            : XOAuth2 is not null ? "250-sink.test\r\n250-8BITMIME\r\n250-AUTH XOAUTH2\r\n250 SIZE 104857600"
                            : OfferSmtpUtf8 ? "250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600"
                            : OfferDsn ? "250-sink.test\r\n250-8BITMIME\r\n250-DSN\r\n250 SIZE 104857600"
                            : "250-sink.test\r\n250-8BITMIME\r\n250 SIZE 104857600");
                        break;
                    case "AUTH" when XOAuth2 is not null && stream is SslStream:
                        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        var initial = words.Length > 2 ? words[2] : null;
                        if (initial is null)
                        {
                            await Send("334 ");
                            initial = await reader.ReadLineAsync(_stop.Token) ?? "";
                        }

                        // RFC 7628 section 3.1: "user=" user ^A "auth=Bearer " token ^A ^A.
                        var fields = Encoding.UTF8.GetString(Convert.FromBase64String(initial)).Split('\x01');
                        var user = fields.FirstOrDefault(f => f.StartsWith("user=", StringComparison.Ordinal))?[5..] ?? "";
                        var token = fields.FirstOrDefault(f => f.StartsWith("auth=Bearer ", StringComparison.Ordinal))?[12..] ?? "";
                        if (XOAuth2(user, token))
                        {
                            authenticated = (user, token);
                            Logins.Enqueue(user);
                            await Send("235 2.7.0 Accepted");
                        }
                        else
                        {
                            await Send("334 " + Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"status\":\"401\",\"schemes\":\"bearer\"}")));
                            await reader.ReadLineAsync(_stop.Token);
                            await Send("535 5.7.3 Authentication unsuccessful");
                        }

                        break;
                    // A token revoked since the login no longer sends mail, as a provider's session checks do.
                    case "MAIL" when XOAuth2 is not null && (authenticated is not var (who, bearer) || !XOAuth2(who, bearer)):
                        await Send("530 5.7.57 Client not authenticated to send mail");
                        break;
                    case "STARTTLS" when OfferStartTls:
                        await Send("220 2.0.0 Ready to start TLS");
                        var ssl = new SslStream(stream);
                        await ssl.AuthenticateAsServerAsync(_certificate ?? Certificate.Value);
                        stream = ssl;
                        reader = new LineReader(ssl);
                        break;
                    case "HELO":
                    case "NOOP":
                        await Send("250 OK");
                        break;
                    case "RSET":
                        from = "";
                        rcpts.Clear();
                        await Send("250 OK");
                        break;
                    case "MAIL":
                        MailCommands.Enqueue(line);
                        from = Between(line);
                        rcpts.Clear();
                        await Send("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        RcptCommands.Enqueue(line);
                        var rcpt = Between(line);
                        var reply = RcptReplyFor(clientAddress) ?? RcptReply(rcpt);
                        if (reply.StartsWith('2'))
                        {
                            rcpts.Add(rcpt);
                        }

                        await Send(reply);
                        if (reply.StartsWith("421", StringComparison.Ordinal))
                        {
                            return;
                        }

                        break;
                    case "DATA":
                        await Send("354 go ahead");
                        if (await reader.ReadDataAsync(_stop.Token) is not { } body)
                        {
                            // The client went away before the end of the data: nothing was received.
                            return;
                        }

                        Interlocked.Increment(ref _dataReceived);
                        await BeforeDataReply();
                        var final = DataReply();
                        if (final.StartsWith('2'))
                        {
                            Messages.Enqueue(new ReceivedMail(from, rcpts.ToList(), body, stream is SslStream, helo, DateTimeOffset.UtcNow, clientAddress));
                        }

                        await Send(final);
                        break;
                    case "QUIT":
                        // The client may open its next connection as soon as it reads 221: stop counting this one first.
                        open = false;
                        Interlocked.Decrement(ref _active);
                        await Send("221 2.0.0 Bye");
                        return;
                    default:
                        await Send("502 5.5.1 Unknown command");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
        {
        }
        finally
        {
            if (open)
            {
                Interlocked.Decrement(ref _active);
            }
        }
    }

    static readonly Lazy<X509Certificate2> Certificate = new(() =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=sink.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    });

    static string Between(string line)
    {
        var start = line.IndexOf('<');
        var end = line.IndexOf('>');
        return start >= 0 && end > start ? line[(start + 1)..end] : "";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reads CRLF lines and dot-terminated data from a stream, byte-exact.</summary>
    sealed class LineReader(Stream stream)
    {
        readonly byte[] _buffer = new byte[64 * 1024];
        int _start;
        int _end;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = await ReadRawLineAsync(cancellationToken);
            return line is null ? null : Encoding.UTF8.GetString(line, 0, Math.Max(0, line.Length - 2));
        }

        /// <summary>The message as sent, dot-unstuffed, without the terminating "."; null if the data never ended.</summary>
        public async Task<byte[]?> ReadDataAsync(CancellationToken cancellationToken)
        {
            var body = new MemoryStream();
            while (await ReadRawLineAsync(cancellationToken) is { } line)
            {
                if (line is [(byte)'.', (byte)'\r', (byte)'\n'])
                {
                    return body.ToArray();
                }

                var offset = line.Length > 0 && line[0] == '.' ? 1 : 0;
                body.Write(line, offset, line.Length - offset);
            }

            return null;
        }

        async Task<byte[]?> ReadRawLineAsync(CancellationToken cancellationToken)
        {
            var line = new MemoryStream();
            while (true)
            {
                if (_start == _end)
                {
                    _start = 0;
                    _end = await stream.ReadAsync(_buffer, cancellationToken);
                    if (_end == 0)
                    {
                        return null;
                    }
                }

                var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (lf < 0)
                {
                    line.Write(_buffer, _start, _end - _start);
                    _start = _end;
                    continue;
                }

                line.Write(_buffer, _start, lf + 1 - _start);
                _start = lf + 1;
                return line.ToArray();
            }
        }
    }
}

/// <summary>A message as a destination received it.</summary>
internal sealed record ReceivedMail(string From, IReadOnlyList<string> Recipients, byte[] Data, bool OverTls, string? Helo = null, DateTimeOffset ReceivedAt = default, IPAddress? Client = null)
{
    public string Text => Encoding.UTF8.GetString(Data);
}
