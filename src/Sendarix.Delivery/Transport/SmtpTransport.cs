using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Sendarix.Core.Buffers;
using Sendarix.Core.Replies;
using Sendarix.Core.Smtp;
using Sendarix.Core.Routing;
using Sendarix.Contracts.Shaping;
using Sendarix.Core.Providers;
using Sendarix.Core.Telemetry;
using Sendarix.Core.Upstreams;
using Sendarix.Contracts.Upstreams;
using Sendarix.Delivery.Routing;
using Sendarix.Delivery.Shaping;
using Sendarix.Storage.Telemetry;

namespace Sendarix.Delivery.Transport;

/// <summary>
/// Hands a message to a destination with MailKit: hosts and their addresses are tried in order until one takes
/// the transaction (RFC 5321 section 5.1); connections are reused; STARTTLS is used when offered, or required by
/// the route's policy, in which case a host without it is skipped rather than sent to in plaintext.
/// </summary>
internal sealed partial class SmtpTransport(
    ConnectionPool pool,
    CertificateVerifier verifier,
    UpstreamTokens tokens,
    EndpointHealth health,
    IOptions<DeliveryOptions> options,
    IOptions<ShapingOptions> shaping,
    RelayMetrics metrics,
    TimeProvider time,
    ILogger<SmtpTransport> logger)
{
    static readonly FormatOptions Format = CreateFormat();

    /// <summary>
    /// Sends from <paramref name="egress"/> (null: the host's own address) through a connection leased from
    /// <paramref name="throttle"/> within <paramref name="profile"/>'s limits; when
    /// no connection slot or message token comes within ThrottleWait, nothing is sent and the result says it was held back.
    /// </summary>
    public async Task<AttemptResult> SendAsync(Resolution destination, IPAddress? egress, IThrottleGrain throttle, ProviderProfile profile, string from,
        IReadOnlyList<string> recipients, ReadOnlyMemory<byte> body, OutboundDsn? dsn, bool needsSmtpUtf8, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var deadline = time.GetUtcNow() + shaping.Value.ThrottleWait;
        MimeMessage message;
        using (var stream = MemoryStreams.Over(body))
        {
            message = await MimeMessage.LoadAsync(stream, cancellationToken);
        }

        var sender = from.Length == 0 ? null : MailboxAddress.Parse(from);
        var mailboxes = recipients.Select(r => new MailboxAddress("", r)).ToList();
        SmtpReply? lastFailure = null;
        string? lastHost = null;
        var candidates = destination.Hosts.Sum(h => h.Addresses.Count);
        foreach (var host in destination.Hosts)
        {
            var endpoint = new HostPort(host.Name, host.Port).ToString();
            foreach (var address in host.Addresses)
            {
                candidates--;
                // The host name is part of the key: a connection verified for one MX name is never reused for another;
                // and so is an upstream route's version: a connection logged in for one account never carries another's mail.
                var key = $"{egress}|{host.Name}|{address}|{host.Port}|{destination.Tls}|{destination.Upstream?.DestinationKey}|{destination.Upstream?.Version}";
                lastHost = $"{host.Name}[{address}]:{host.Port}";
                ConnectionPool.Lease lease;
                var asked = time.GetTimestamp();
                try
                {
                    lease = await pool.AcquireAsync(key, throttle, profile, deadline, cancellationToken);
                }
                catch (ThrottledException ex)
                {
                    metrics.ThrottleWaited(destination.Provider, MetricNames.Tags.LimitConnection, time.GetElapsedTime(asked));
                    return new AttemptResult(lastHost, new Dictionary<string, SmtpReply>(), null, ex.Message);
                }

                metrics.ThrottleWaited(destination.Provider, MetricNames.Tags.LimitConnection, time.GetElapsedTime(asked));

                var client = lease.Client;
                var reusable = false;
                try
                {
                    await TakeMessageTokenAsync(throttle, destination.Provider, profile, deadline, cancellationToken);
                    if (!client.IsConnected)
                    {
                        await ConnectAsync(client, host, address, egress, destination.Tls, cancellationToken);
                        if (destination.Upstream is { Settings.Mechanism: not UpstreamAuthMechanism.None } upstream)
                        {
                            await LogInAsync(client, upstream, cancellationToken);
                        }
                    }

                    if (needsSmtpUtf8 && !client.Capabilities.HasFlag(SmtpCapabilities.UTF8))
                    {
                        // A UTF-8 local part or header cannot be written in ASCII exactly: such mail is refused, not changed.
                        var refused = new SmtpReply(550, $"5.6.7 {host.Name} does not offer SMTPUTF8, which this message's addresses or header need; not sent");
                        reusable = client.IsConnected;
                        return new AttemptResult(lastHost, recipients.ToDictionary(r => r, _ => refused, StringComparer.OrdinalIgnoreCase), null);
                    }

                    client.Refused.Clear();
                    client.Dsn = dsn;
                    client.DeliveryStatusNotificationType = dsn?.Return switch
                    {
                        DsnReturn.Full => DeliveryStatusNotificationType.Full,
                        DsnReturn.Headers => DeliveryStatusNotificationType.HeadersOnly,
                        _ => DeliveryStatusNotificationType.Unspecified,
                    };
                    var replies = new Dictionary<string, SmtpReply>(StringComparer.OrdinalIgnoreCase);
                    try
                    {
                        // MailKit writes each recipient as its own ORCPT; a client's ORCPT goes on as given, in a
                        // transaction the relay writes itself (when the body is UTF-8 text, which that needs).
                        var data = dsn is { OriginalRecipients.Count: > 0 } && client.Capabilities.HasFlag(SmtpCapabilities.Dsn)
                            ? EnvelopeCommands.DotStuffedData(body.Span)
                            : null;
                        var response = data is null
                            ? await client.SendAsync(Format, message, sender ?? new MailboxAddress("", ""), mailboxes, cancellationToken)
                            : await client.SendWrittenAsync(sender, mailboxes, body, data, needsSmtpUtf8, cancellationToken);
                        var accepted = new SmtpReply(250, response);
                        foreach (var r in recipients)
                        {
                            replies[r] = client.Refused.TryGetValue(r, out var refused) ? ToReply(refused) : accepted;
                        }
                    }
                    catch (SmtpCommandException ex) when (ex.ErrorCode is SmtpErrorCode.MessageNotAccepted or SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.RecipientNotAccepted)
                    {
                        // The whole transaction was refused: every recipient not refused on its own gets this reply.
                        var reply = new SmtpReply((int)ex.StatusCode, ex.Message);
                        foreach (var r in recipients)
                        {
                            replies[r] = client.Refused.TryGetValue(r, out var refused) ? ToReply(refused) : reply;
                        }
                    }

                    client.MessagesSent++;
                    // An upstream that refused a whole transaction may have ended the session's login (a revoked token,
                    // a suspended account): the next attempt logs in afresh.
                    reusable = client.IsConnected && client.MessagesSent < profile.MessagesPerConnection && replies.Values.All(r => r.Code != 421)
                               && (destination.Upstream is null || replies.Values.Any(r => r.Class == ReplyClass.Success));
                    if (candidates > 0 && replies.Count > 0 && replies.Values.All(r => r.Code == 421))
                    {
                        // The host is closing the channel on the whole transaction: the next host takes it at once.
                        lastFailure = replies.Values.First();
                        health.ReportFailure(endpoint, lastFailure.ToString());
                        continue;
                    }

                    return new AttemptResult(lastHost, replies, null);
                }
                catch (ThrottledException ex)
                {
                    reusable = client.IsConnected;
                    return new AttemptResult(lastHost, new Dictionary<string, SmtpReply>(), null, ex.Message);
                }
                catch (Exception ex) when (ex is AuthenticationException or UpstreamLoginException && destination.Upstream is { } upstream)
                {
                    // The upstream refused the route's login, or it could not be made: the mail is kept (a login is not
                    // the recipient's fault) and the reason says what to fix. The next host may take it.
                    if (ex is AuthenticationException && upstream.Settings.Mechanism == UpstreamAuthMechanism.XOAuth2)
                    {
                        tokens.Forget(upstream);
                    }

                    lastFailure = SmtpReply.ConnectionFailure(
                        $"4.7.8 {host.Name}[{address}] refused the login of upstream route {upstream.Name} as {upstream.Settings.Username} ({Shorten(ex.Message)}); kept for retry");
                    health.ReportFailure(endpoint, lastFailure.Text);
                    LogHostFailed(logger, host.Name, address.ToString(), host.Port, lastFailure.Text);
                }
                catch (SmtpCommandException ex)
                {
                    // Refused before any transaction (greeting, EHLO, STARTTLS, AUTH): try the next host.
                    lastFailure = new SmtpReply((int)ex.StatusCode, ex.Message);
                    health.ReportFailure(endpoint, lastFailure.ToString());
                }
                catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or OperationCanceledException
                                               or SslHandshakeException or SmtpProtocolException or NotSupportedException or ServiceNotConnectedException)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }

                    lastFailure = SmtpReply.ConnectionFailure(Describe(host, address.ToString(), ex, destination.Tls, client.CertificateProblem));
                    health.ReportFailure(endpoint, lastFailure.Text);
                    LogHostFailed(logger, host.Name, address.ToString(), host.Port, lastFailure.Text);
                }
                finally
                {
                    lease.Return(reusable);
                }
            }
        }

        return new AttemptResult(lastHost, new Dictionary<string, SmtpReply>(), lastFailure ?? SmtpReply.ConnectionFailure("4.4.4 No host to deliver to"));
    }

    /// <summary>
    /// Connects from the egress address to this address of the host, and has MailKit speak SMTP over the socket under
    /// the host's name, so that a verified TLS policy checks the certificate against the MX host name, not an IP.
    /// </summary>
    async Task ConnectAsync(RelaySmtpClient client, ResolvedHost host, IPAddress address, IPAddress? egress, TlsPolicy policy, CancellationToken cancellationToken)
    {
        var o = options.Value;
        client.LocalDomain = o.HeloName;
        client.Timeout = (int)o.CommandTimeout.TotalMilliseconds;
        client.CheckCertificateRevocation = false;
        client.CertificateProblem = null;
        client.ServerCertificateValidationCallback = policy == TlsPolicy.Verify
            ? (_, certificate, _, errors) => (client.CertificateProblem = verifier.Check(certificate, errors)) is null
            // Opportunistic or merely required TLS accepts any certificate: it defeats passive eavesdropping, as
            // Postfix's "may" and "encrypt" levels do.
            : (_, _, _, _) => true;

        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(o.ConnectTimeout);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (egress is not null)
            {
                try
                {
                    socket.Bind(new IPEndPoint(egress, 0));
                }
                catch (SocketException ex)
                {
                    // The relay's own address is unusable: hold the mail back rather than blame the destination.
                    throw new ThrottledException($"the egress address {egress} cannot be used: {ex.SocketErrorCode}");
                }
            }

            await socket.ConnectAsync(address, host.Port, connectTimeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var tls = policy == TlsPolicy.Opportunistic ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.StartTls;
        await client.ConnectAsync(socket, host.Name, host.Port, tls, connectTimeout.Token);
    }

    /// <summary>
    /// Logs in to an upstream with the route's credentials, only over TLS (the route's policy requires it; this is the
    /// last guard against sending a secret in plaintext).
    /// </summary>
    async Task LogInAsync(RelaySmtpClient client, UpstreamDeliveryRoute upstream, CancellationToken cancellationToken)
    {
        var s = upstream.Settings;
        if (!client.IsSecure)
        {
            throw new UpstreamLoginException("the connection is not encrypted, and a login is never sent in plaintext");
        }

        if (!client.Capabilities.HasFlag(SmtpCapabilities.Authentication))
        {
            throw new UpstreamLoginException("the server offers no AUTH");
        }

        SaslMechanism mechanism = s.Mechanism switch
        {
            UpstreamAuthMechanism.Plain => new SaslMechanismPlain(s.Username ?? "", s.Secret ?? ""),
            UpstreamAuthMechanism.Login => new SaslMechanismLogin(s.Username ?? "", s.Secret ?? ""),
            UpstreamAuthMechanism.XOAuth2 => new SaslMechanismOAuth2(s.Username ?? "", await tokens.GetAsync(upstream, cancellationToken)),
            _ => throw new UpstreamLoginException($"no login with {s.Mechanism}"),
        };
        await client.AuthenticateAsync(mechanism, cancellationToken);
    }

    /// <summary>Waits for the provider's messages-per-minute to allow one more, up to the deadline.</summary>
    async Task TakeMessageTokenAsync(IThrottleGrain throttle, string provider, ProviderProfile profile, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (profile.MessagesPerMinutePerIp is not { } rate)
        {
            return;
        }

        var asked = time.GetTimestamp();
        try
        {
            for (var wait = await throttle.TakeMessageAsync(rate); wait > TimeSpan.Zero; wait = await throttle.TakeMessageAsync(rate))
            {
                if (time.GetUtcNow() + wait > deadline)
                {
                    throw new ThrottledException($"the provider's limit of {rate} messages a minute is reached");
                }

                await Task.Delay(wait, time, cancellationToken);
            }
        }
        finally
        {
            metrics.ThrottleWaited(provider, MetricNames.Tags.LimitRate, time.GetElapsedTime(asked));
        }
    }

    static string Shorten(string text) => text.Length > 300 ? text[..300] : text;

    static SmtpReply ToReply(SmtpResponse response) => new((int)response.StatusCode, response.Response);

    static string Describe(ResolvedHost host, string address, Exception ex, TlsPolicy tls, string? certificateProblem) => ex switch
    {
        NotSupportedException when tls != TlsPolicy.Opportunistic => $"4.7.5 {host.Name}[{address}] does not offer STARTTLS, which the TLS policy requires",
        SslHandshakeException when certificateProblem is not null => $"4.7.5 TLS with {host.Name}[{address}] not verified: {certificateProblem}; not sent without it",
        SslHandshakeException => $"4.7.5 TLS handshake with {host.Name}[{address}] failed",
        OperationCanceledException or TimeoutException => $"4.4.2 Connection to {host.Name}[{address}]:{host.Port} timed out",
        SocketException s => $"4.4.1 Connection to {host.Name}[{address}]:{host.Port} failed: {s.SocketErrorCode}",
        _ => $"4.4.2 Connection to {host.Name}[{address}]:{host.Port} lost: {ex.Message}",
    };

    static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = false;
        return format;
    }

    [LoggerMessage(EventId = 4001, EventName = "HostFailed", Level = LogLevel.Information,
        Message = "Delivery to {Host}[{Address}]:{Port} failed: {Reason}")]
    static partial void LogHostFailed(ILogger logger, string host, string address, int port, string reason);
}

/// <summary>
/// The DSN parameters a send passes on: ENVID, RET, and NOTIFY and the client's ORCPT ("addr-type;address") by
/// recipient address.
/// </summary>
internal sealed record OutboundDsn(string? EnvelopeId, DsnReturn? Return, IReadOnlyDictionary<string, DsnNotify> Notify,
    IReadOnlyDictionary<string, string> OriginalRecipients)
{
    /// <summary>What the client asked for these recipients; null when it asked for nothing.</summary>
    public static OutboundDsn? For(Storage.Queue.DeliveryWorkItem item, IReadOnlyList<Storage.Queue.WorkRecipient> recipients)
    {
        var notify = recipients.Where(r => r.Notify is not null).ToDictionary(r => r.Address, r => r.Notify!.Value, StringComparer.OrdinalIgnoreCase);
        var original = recipients.Where(r => r.OriginalRecipient is not null)
            .ToDictionary(r => r.Address, r => r.OriginalRecipient!, StringComparer.OrdinalIgnoreCase);
        return item.EnvelopeId is null && item.Return is null && notify.Count == 0 && original.Count == 0
            ? null
            : new OutboundDsn(item.EnvelopeId, item.Return, notify, original);
    }
}
