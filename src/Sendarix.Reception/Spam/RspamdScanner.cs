using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Spam;

namespace Sendarix.Reception.Spam;

/// <summary>What the scan is told about the message's submission, as rspamd's outbound scanning expects it.</summary>
internal sealed record ScanEnvelope(string User, IPAddress? ClientAddress, string? Helo, string From, IReadOnlyList<string> Recipients, string QueueId);

/// <summary>
/// Asks rspamd (<c>POST /checkv2</c>) about a message, within the latency budget: the authenticated user, the client's
/// address, HELO, envelope sender and recipients go as its headers, so rspamd scans it as outbound mail. Any failure
/// (refused, slow, an error status, an unreadable reply) is a verdict marked unscanned with the reason; the caller's
/// failure mode decides what follows. Nothing is logged of the message.
/// </summary>
internal sealed partial class RspamdScanner(IOptions<SpamFilterOptions> options, ILogger<RspamdScanner> logger) : IDisposable
{
    // The budget is enforced per scan; the client's own timeout only guards against a forgotten one.
    readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromMinutes(1) };

    public async Task<SpamVerdict> ScanAsync(ReadOnlyMemory<byte> message, ScanEnvelope envelope, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.Url is not { } url)
        {
            return SpamVerdict.NotScanned("no filter configured");
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(o.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, "checkv2")) { Content = new ReadOnlyMemoryContent(message) };
            request.Headers.TryAddWithoutValidation("User", envelope.User);
            if (envelope.ClientAddress is { } ip)
            {
                request.Headers.TryAddWithoutValidation("IP", ip.ToString());
            }

            if (envelope.Helo is { Length: > 0 } helo)
            {
                request.Headers.TryAddWithoutValidation("Helo", helo);
            }

            request.Headers.TryAddWithoutValidation("From", envelope.From);
            foreach (var rcpt in envelope.Recipients)
            {
                request.Headers.TryAddWithoutValidation("Rcpt", rcpt);
            }

            request.Headers.TryAddWithoutValidation("Queue-Id", envelope.QueueId);
            using var response = await _http.SendAsync(request, budget.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogFailed(logger, $"status {(int)response.StatusCode}");
                return SpamVerdict.NotScanned("filter error");
            }

            var body = await response.Content.ReadAsByteArrayAsync(budget.Token);
            if (!RspamdReply.TryParse(body, out var verdict))
            {
                LogFailed(logger, "an unreadable reply");
                return SpamVerdict.NotScanned("filter error");
            }

            return verdict;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, $"no answer within {o.Timeout.TotalMilliseconds:0} ms");
            return SpamVerdict.NotScanned("filter timeout");
        }
        catch (HttpRequestException ex)
        {
            LogFailed(logger, ex.Message);
            return SpamVerdict.NotScanned("filter unavailable");
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(EventId = 1120, EventName = "SpamScanFailed", Level = LogLevel.Warning, Message = "The spam filter could not scan a message: {Why}")]
    static partial void LogFailed(ILogger logger, string why);
}
