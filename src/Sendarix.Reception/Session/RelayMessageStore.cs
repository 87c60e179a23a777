using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Buffers;
using Sendarix.Core.Ids;
using Sendarix.Core.Smtp;
using Sendarix.Core.Subtenants;
using Sendarix.Core.Tags;
using Sendarix.Core.Telemetry;
using Sendarix.Core.Spam;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Spam;
using Sendarix.Storage.Acceptance;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Telemetry;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sendarix.Reception.Session;

/// <summary>
/// The end of DATA (or of BDAT LAST, whose octets the guard kept): checks the body (no bare line breaks; one From header, of domains the tenant may send as), takes
/// the client's tags and metadata out of the header block, adds the Received header and answers 250 only once the
/// acceptor has made the message durable. Nothing may escape as an exception: the library would turn it into a permanent 554.
/// </summary>
internal sealed partial class RelayMessageStore(
    IMessageAcceptor acceptor,
    TenantPolicy tenants,
    SubmissionSandbox sandbox,
    SpamCheck spam,
    RelayMetrics metrics,
    IOptions<SmtpOptions> options,
    TimeProvider time,
    ILogger<RelayMessageStore> logger) : IMessageStore
{
    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();

        // Without a collector of traces the acceptance runs as it always did: no span, no second state machine.
        var reply = RelayTracing.Source.HasListeners()
            ? await TracedAsync(context, transaction, buffer, cancellationToken)
            : await AcceptAsync(context, transaction, buffer, null, cancellationToken);
        metrics.DataAnswered(time.GetElapsedTime(started));
        return reply;
    }

    /// <summary>The acceptance as the root span of the message's trace, whose context the work item carries on.</summary>
    async Task<SmtpResponse> TracedAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        using var span = RelayTracing.Source.StartActivity(TraceNames.SmtpAccept, ActivityKind.Server);
        var reply = await AcceptAsync(context, transaction, buffer, span, cancellationToken);
        if (span is not null)
        {
            span.SetTag(TraceNames.Tags.ReplyCode, (int)reply.ReplyCode);
            span.SetTag(TraceNames.Tags.Outcome, reply.ReplyCode == SmtpReplyCode.Ok ? "accepted" : "refused");
            if (reply.ReplyCode != SmtpReplyCode.Ok)
            {
                span.SetStatus(ActivityStatusCode.Error, reply.Message);
            }
        }

        return reply;
    }

    async Task<SmtpResponse> AcceptAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, Activity? span, CancellationToken cancellationToken)
    {
        try
        {
            // A message sent with BDAT is taken as sent; the library's DATA was empty.
            var chunked = GuardedDuplexPipe.ChunkedContent(context);
            if (chunked is { } octets)
            {
                buffer = new ReadOnlySequence<byte>(octets);
            }

            if (GuardedDuplexPipe.Exceeded(context, buffer.Length, options.Value.MaxMessageSize))
            {
                return SmtpReplies.TooLarge;
            }

            if (!context.Properties.TryGetValue(SessionKeys.Tenant, out var t) || t is not TenantInfo tenant)
            {
                return SmtpReplies.AuthRequired;
            }

            if (tenant.Limits?.MaxMessageSize is { } maxSize && buffer.Length > maxSize)
            {
                return SmtpReplies.TooLargeForAccount(maxSize);
            }

            var tenantId = tenant.Id;
            span?.SetTag(TraceNames.Tags.Tenant, tenantId);
            var recipients = transaction.To.Select(RelayMailboxFilter.Format).ToList();
            if (await sandbox.AfterDataAsync(context, recipients, cancellationToken) is { } simulated)
            {
                return simulated;
            }

            var now = time.GetUtcNow();
            var id = MessageId.New(tenantId, now);
            span?.SetTag(TraceNames.Tags.MessageId, id.ToString());
            span?.SetTag(TraceNames.Tags.Recipients, recipients.Count);
            var remote = context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var ep) ? (ep as IPEndPoint)?.Address : null;
            var received = Encoding.UTF8.GetBytes(ReceivedHeader(context, id, recipients, remote, now));

            // The library drops the CRLF that ends the last line; put it back. BDAT octets come whole: a CRLF is added
            // only where the client left the last line without one, as a message must end with a line break.
            var bodyLength = (int)buffer.Length;
            var endLine = bodyLength > 0 && (chunked is not { } whole || !whole.Span.EndsWith("\r\n"u8));
            var body = new byte[received.Length + bodyLength + (endLine ? 2 : 0)];
            received.CopyTo(body, 0);
            buffer.CopyTo(body.AsSpan(received.Length));
            if (endLine)
            {
                body[^2] = (byte)'\r';
                body[^1] = (byte)'\n';
            }

            if (BodyRules.IndexOfBareLineBreak(body.AsSpan(received.Length)) >= 0)
            {
                return SmtpReplies.BareLineBreak;
            }

            if (await ReadHeadersAsync(body.AsMemory(received.Length), cancellationToken) is not { FromDomains.Count: > 0 } headers)
            {
                return SmtpReplies.MissingFrom;
            }

            foreach (var domain in headers.FromDomains)
            {
                if (!await tenants.AllowsSenderAsync(tenant, domain))
                {
                    return SmtpReplies.UnverifiedSender("From header", domain);
                }
            }

            var tags = MessageTags.None;
            if (headers.TagFields.Count > 0 && !SubmissionTags.TryParse(headers.TagFields, out tags, out var refusal))
            {
                return SmtpReplies.TagsRefused(refusal);
            }

            // The login (its credential or subaddress) named the sub-tenant at MAIL FROM; a header may name the same one,
            // or name it first.
            var subtenant = context.Properties.TryGetValue(SessionKeys.Subtenant, out var s) ? s as SubtenantInfo : null;
            if (headers.SubtenantValues.Count > 0)
            {
                var credentialSubtenant = context.Properties.TryGetValue(SessionKeys.CredentialSubtenant, out var c) ? c as string : null;
                var subaddress = context.Properties.TryGetValue(SessionKeys.Subaddress, out var a) ? a as string : null;
                var choice = SubtenantRules.Choose(credentialSubtenant, subaddress, headers.SubtenantValues);
                if (choice.Refusal is not null || choice.Subtenant != subtenant?.Id)
                {
                    (subtenant, var subtenantRefusal) = await tenants.ResolveSubtenantAsync(tenant, choice);
                    if (subtenantRefusal is not null)
                    {
                        return subtenantRefusal;
                    }

                    // Named only now: its own limits apply here (the tenant's were taken at MAIL FROM).
                    if (subtenant!.Limits?.MaxMessageSize is { } subtenantMax && buffer.Length > subtenantMax)
                    {
                        return SmtpReplies.TooLargeForAccount(subtenantMax);
                    }

                    if (subtenant.Limits?.RecipientsPerMessage is { } most && recipients.Count > most)
                    {
                        return SmtpReplies.TooManyRecipients(most);
                    }

                    if (await tenants.TakeQuotaAsync(subtenant) is { Allowed: false } quota)
                    {
                        return SmtpReplies.OverQuota(quota.Limit!, quota.RetryAfter);
                    }
                }
            }

            // The stored body is what is delivered and DKIM-signed: the client's fields for the relay go before it is
            // stored, in place (the block only shrinks), so a message without them costs nothing more. A scanned
            // message loses any verdict fields of the client's own too: only the relay's may claim a verdict.
            var policy = spam.PolicyFor(tenant, subtenant);
            var scanning = policy != SpamPolicy.Off;
            var length = headers.TagFields.Count > 0 || headers.SubtenantValues.Count > 0 || scanning
                ? received.Length + HeaderBlock.RemoveFields(body.AsSpan(received.Length), scanning ? IsRelayOrVerdictField : IsRelayField).Length
                : body.Length;

            SpamVerdict? verdict = null;
            var held = false;
            if (scanning)
            {
                var helo = context.Properties.TryGetValue(SessionKeys.HeloName, out var h) ? h as string : null;
                var candidate = new SpamCandidate(tenant, subtenant, id.ToString(), RelayMailboxFilter.Format(transaction.From), recipients, remote, helo,
                    headers.MessageId, headers.Subject);
                (var decision, verdict) = await spam.CheckAsync(policy, body.AsMemory(0, length), candidate, cancellationToken);
                switch (decision)
                {
                    case SpamDecision.Reject:
                        LogSpamRejected(logger, id.ToString(), verdict.Score);
                        return SmtpReplies.SpamRejected(SpamRules.RefusalReason(verdict));
                    case SpamDecision.TryLater:
                        return SmtpReplies.SpamFilterUnavailable;
                    case SpamDecision.Tag or SpamDecision.Hold:
                        // The verdict's fields go after the relay's Received header, as a filter on the way adds them.
                        var fields = Encoding.ASCII.GetBytes(SpamRules.Header(verdict));
                        body = [.. body.AsSpan(0, received.Length), .. fields, .. body.AsSpan(received.Length, length - received.Length)];
                        length = body.Length;
                        held = decision == SpamDecision.Hold;
                        break;
                }
            }

            var message = new AcceptedMessage(id, RelayMailboxFilter.Format(transaction.From), recipients, body.AsMemory(0, length), now, remote?.ToString(), headers.MessageId, headers.Subject)
            {
                Tags = tags.Tags,
                Metadata = tags.Metadata,
                TraceParent = RelayTracing.TraceParent(span),
                Dsn = GuardedDuplexPipe.Dsn(context),
                SmtpUtf8 = GuardedDuplexPipe.SmtpUtf8(context),
                Subtenant = subtenant?.Id,
                SuppressionList = subtenant?.SuppressionList,
                Spam = verdict,
                Held = held,
            };
            await acceptor.AcceptAsync(message, cancellationToken);
            LogAccepted(logger, id.ToString(), recipients.Count, length);
            return SmtpReplies.Queued(id.ToString());
        }
        catch (Exception ex)
        {
            LogNotStored(logger, ex);
            return SmtpReplies.StorageUnavailable;
        }
    }

    string ReceivedHeader(ISessionContext context, MessageId id, IReadOnlyList<string> recipients, IPAddress? remote, DateTimeOffset now)
    {
        var helo = context.Properties.TryGetValue(SessionKeys.HeloName, out var h) ? h as string : null;
        var tls = context.Pipe.SslProtocol switch
        {
            System.Security.Authentication.SslProtocols.Tls13 => "TLS1.3",
            System.Security.Authentication.SslProtocols.Tls12 => "TLS1.2",
            _ => null,
        };
        var header = new StringBuilder("Received: from ");
        header.Append(Sanitize(helo) ?? "unknown").Append(" ([").Append(remote?.ToString() ?? "unknown").Append("])\r\n");
        header.Append("\tby ").Append(options.Value.ServerName);
        if (tls is not null)
        {
            header.Append(" (").Append(tls).Append(')');
        }

        header.Append(" with ESMTPSA id ").Append(id.ToString());
        if (recipients.Count == 1)
        {
            header.Append("\r\n\tfor <").Append(recipients[0]).Append('>');
        }

        header.Append("; ").Append(now.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture)).Append(" +0000\r\n");
        return header.ToString();
    }

    /// <summary>
    /// What the relay keeps of the header block: the domains of the one From header's addresses, the client's
    /// Message-ID and the Subject (decoded, bounded), and the tag and metadata fields (decoded and unfolded, for the
    /// pure rules of <see cref="SubmissionTags"/>); null when there is not exactly one parseable From.
    /// </summary>
    internal static async Task<SubmissionHeaders?> ReadHeadersAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        using var stream = MemoryStreams.Over(message);
        HeaderList headers;
        try
        {
            headers = await HeaderList.LoadAsync(ParserOptions.Default, stream, cancellationToken);
        }
        catch (FormatException)
        {
            return null;
        }

        var from = headers.Where(h => h.Id == HeaderId.From).ToList();
        if (from.Count != 1 || !InternetAddressList.TryParse(from[0].Value, out var addresses))
        {
            return null;
        }

        var domains = addresses.Mailboxes.Select(m => m.Domain).Where(d => !string.IsNullOrEmpty(d)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var messageId = headers[HeaderId.MessageId] is { } raw ? MimeUtils.EnumerateReferences(raw).FirstOrDefault() : null;
        var tagFields = headers.Where(h => SubmissionTags.IsTagField(h.Field)).Select(h => (h.Field, h.Value)).ToList();
        var subtenants = headers.Where(h => SubtenantRules.IsHeaderField(h.Field)).Select(h => h.Value).ToList();
        return new SubmissionHeaders(domains, Bounded(messageId), Bounded(headers[HeaderId.Subject]), tagFields, subtenants);
    }

    // A header line may not be longer than 998 characters (RFC 5322); anything longer is cut, not refused.
    static string? Bounded(string? value) => value is { Length: > 998 } ? value[..998] : value;

    internal sealed record SubmissionHeaders(IReadOnlyList<string> FromDomains, string? MessageId, string? Subject, IReadOnlyList<(string Name, string Value)> TagFields,
        IReadOnlyList<string> SubtenantValues);

    // Header fields addressed to the relay, never to the recipient: tags and metadata, and the sub-tenant.
    static bool IsRelayField(ReadOnlySpan<byte> name) => SubmissionTags.IsTagField(name) || SubtenantRules.IsHeaderField(name);

    static bool IsRelayOrVerdictField(ReadOnlySpan<byte> name) => IsRelayField(name) || SpamRules.IsVerdictField(name);

    // The EHLO name is the client's own text: keep it to characters that cannot break the header.
    static string? Sanitize(string? helo) =>
        helo is null ? null : new string(helo.Where(c => c is > ' ' and < '\x7f' and not '(' and not ')').Take(255).ToArray());

    [LoggerMessage(EventId = 1101, EventName = "MessageAccepted", Level = LogLevel.Debug,
        Message = "Accepted {MessageId} for {Recipients} recipients, {Bytes} bytes")]
    static partial void LogAccepted(ILogger logger, string messageId, int recipients, int bytes);

    [LoggerMessage(EventId = 1103, EventName = "SpamRejected", Level = LogLevel.Information,
        Message = "Refused {MessageId} as spam, score {Score}")]
    static partial void LogSpamRejected(ILogger logger, string messageId, double score);

    [LoggerMessage(EventId = 1102, EventName = "MessageNotStored", Level = LogLevel.Warning,
        Message = "A message could not be stored; the client was told to try again later")]
    static partial void LogNotStored(ILogger logger, Exception exception);
}
