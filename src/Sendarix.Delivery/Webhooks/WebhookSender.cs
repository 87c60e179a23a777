using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Webhooks;
using Sendarix.Delivery.Transport;
using Sendarix.Network.Webhooks;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// Posts webhook requests, one attempt per call, through one pooled <see cref="SocketsHttpHandler"/>. Redirects are not
/// followed (a 3xx is a failure), no proxy is used, certificates are verified (against the system's roots and
/// <see cref="WebhookSenderOptions.TrustedCaFile"/>), and every new connection resolves the host itself and connects
/// only to addresses <see cref="WebhookUrlGuard"/> permits, so a name that pointed somewhere public when it was stored
/// cannot be turned towards the relay's own network later. Endpoint failures are results, never exceptions; only
/// the caller's cancellation throws.
/// </summary>
public sealed partial class WebhookSender : IDisposable
{
    public const string UserAgent = "Sendarix-Webhooks/1";

    // Read and dropped so the connection can be reused; a longer answer closes it instead.
    const int MaxDrainedBytes = 64 * 1024;

    readonly WebhookUrlGuard _guard;
    readonly IOptions<WebhookOptions> _rules;
    readonly TimeSpan _timeout;
    readonly TimeProvider _time;
    readonly ILogger<WebhookSender> _logger;
    readonly HttpClient _http;

    public WebhookSender(WebhookUrlGuard guard, IOptions<WebhookOptions> rules, IOptions<WebhookSenderOptions> options, TimeProvider time, ILogger<WebhookSender> logger)
    {
        (_guard, _rules, _timeout, _time, _logger) = (guard, rules, options.Value.Timeout, time, logger);
        var verifier = new CertificateVerifier(options.Value.TrustedCaFile);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,

            // A proxy would make the connection, out of reach of the address check.
            UseProxy = false,
            UseCookies = false,

            // The relay's trace ids stay in the relay: a tenant's receiver gets the documented headers and no traceparent.
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
            ConnectCallback = ConnectAsync,
            ConnectTimeout = _timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            SslOptions =
            {
                // Thrown rather than answered false, so the attempt's error says what was wrong with the certificate.
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    verifier.Check(certificate, errors) is not { } problem ? true : throw new AuthenticationException(problem),
            },
        };
        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public async Task<WebhookAttemptResult> SendAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var rules = _rules.Value;
        if (!WebhookUrl.TryParse(request.Url, rules.AllowHttp, rules.AllowPrivateAddresses, out var url, out var problem))
        {
            return new WebhookAttemptResult(null, TimeSpan.Zero, WebhookFailure.Refused, problem, null);
        }

        // HTTP/2 where the receiver offers it (TLS with ALPN): an endpoint's concurrent requests share one connection
        // and its reads and writes, where HTTP/1.1 needs a connection and its own system calls per request in flight.
        using var message = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ReadOnlyMemoryContent(request.Body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.UserAgent.ParseAdd(UserAgent);
        message.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, request.WebhookId);
        message.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, WebhookSignature.Timestamp(request.Timestamp));
        message.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, request.Signature);

        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            var retryAfter = RetryAfter(response.Headers.RetryAfter);
            await DrainAsync(response, linked.Token);
            var latency = _time.GetElapsedTime(started);
            return status is >= 200 and < 300
                ? new WebhookAttemptResult(status, latency, WebhookFailure.None, null, retryAfter)
                : new WebhookAttemptResult(status, latency, WebhookFailure.Status, status is >= 300 and < 400 ? $"answered {status} (redirects are not followed)" : $"answered {status}", retryAfter);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Failed(WebhookFailure.Timeout, $"no answer within {_timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return ex.InnerException switch
            {
                AddressRefusedException refused => Failed(WebhookFailure.Refused, refused.Message),
                AuthenticationException tls => Failed(WebhookFailure.TlsFailed, $"TLS failed: {(tls.InnerException as AuthenticationException ?? tls).Message}"),
                _ when ex.HttpRequestError == HttpRequestError.SecureConnectionError => Failed(WebhookFailure.TlsFailed, $"TLS failed: {ex.Message}"),
                SocketException socket => Failed(WebhookFailure.ConnectionFailed, $"connection failed: {socket.SocketErrorCode}"),
                NoAddressException none => Failed(WebhookFailure.ConnectionFailed, none.Message),
                _ => Failed(WebhookFailure.ConnectionFailed, $"connection failed: {ex.HttpRequestError}"),
            };
        }

        WebhookAttemptResult Failed(WebhookFailure failure, string error) => new(null, _time.GetElapsedTime(started), failure, error, null);
    }

    TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Reads a short answer to its end, so its connection can carry the next request; what is left closes it.</summary>
    static async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Most receivers answer 204 or a short 200: nothing, or little, to read.
        if (response.Content.Headers.ContentLength == 0)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var total = 0;
            int read;
            while (total < MaxDrainedBytes && (read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            // The status has come: a body that breaks off, or is still coming when the time is up, changes nothing.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var (permitted, refused) = await _guard.ResolveAsync(host, cancellationToken);
        if (permitted.Count == 0)
        {
            if (refused is { } address)
            {
                var scope = AddressClassification.Describe(AddressClassification.Classify(address));
                LogRefused(_logger, host, address, scope);
                throw new AddressRefusedException($"refused: {host} resolves to {address}, a {scope} address");
            }

            throw new NoAddressException($"{host} has no address in DNS");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted.ToArray(), context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(EventId = 4401, EventName = "WebhookAddressRefused", Level = LogLevel.Debug,
        Message = "Webhook connection to {Host} refused: it resolves to {Address}, a {Scope} address")]
    static partial void LogRefused(ILogger logger, string host, IPAddress address, string scope);

    sealed class AddressRefusedException(string message) : Exception(message);

    sealed class NoAddressException(string message) : Exception(message);
}
