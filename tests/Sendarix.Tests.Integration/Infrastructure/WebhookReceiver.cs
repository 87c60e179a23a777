using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// A webhook receiver: Kestrel over HTTPS on 127.0.0.1 with a certificate from <see cref="TestCa"/> for
/// <paramref name="names"/>, recording every request and its connection. Paths script the answer: "/ok" 204,
/// "/redirect" 302 to "/ok", "/hang" never answers, "/busy" 503 with Retry-After in seconds, "/limited" 429 with
/// Retry-After as an HTTP date, "/gone" 410; a path <see cref="Fail"/> names answers 500 until it recovers.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<ReceivedWebhook> _requests = new();
    readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.Ordinal);
    int _connections;

    WebhookReceiver(WebApplication app, int port) => (_app, Port) = (app, port);

    public int Port { get; }

    public IReadOnlyList<ReceivedWebhook> Requests => _requests.ToArray();

    /// <summary>TCP connections accepted, so a test can tell "refused before connecting" and "connection reused".</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Makes the path answer 500 from now on, until <see cref="Recover"/>.</summary>
    public void Fail(string path) => _failing[path] = true;

    public void Recover(string path) => _failing.TryRemove(path, out _);

    /// <summary>The Retry-After date "/limited" sends.</summary>
    public DateTimeOffset LimitedUntil { get; set; }

    public static async Task<WebhookReceiver> StartAsync(params string[] names)
    {
        var certificate = TestCa.Issue(names);
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        WebhookReceiver? receiver = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref receiver!._connections);
                return next(connection);
            });
            listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        receiver = new WebhookReceiver(app, port);
        app.MapPost("/{**path}", async (HttpContext context, string path) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            if (receiver._failing.ContainsKey("/" + path))
            {
                receiver._requests.Enqueue(new ReceivedWebhook("/" + path, headers, body.ToArray(), StatusCodes.Status500InternalServerError, DateTimeOffset.UtcNow, context.Request.Protocol));
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            var status = path switch
            {
                "redirect" => StatusCodes.Status302Found,
                "hang" => 0,
                "busy" => StatusCodes.Status503ServiceUnavailable,
                "limited" => StatusCodes.Status429TooManyRequests,
                "gone" => StatusCodes.Status410Gone,
                _ => StatusCodes.Status204NoContent,
            };
            receiver._requests.Enqueue(new ReceivedWebhook("/" + path, headers, body.ToArray(), status, DateTimeOffset.UtcNow, context.Request.Protocol));
            switch (path)
            {
                case "redirect":
                    context.Response.StatusCode = status;
                    context.Response.Headers.Location = $"https://{context.Request.Host}/ok";
                    break;
                case "hang":
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    break;
                case "busy":
                    context.Response.StatusCode = status;
                    context.Response.Headers.RetryAfter = "120";
                    break;
                case "limited":
                    context.Response.StatusCode = status;
                    context.Response.Headers.RetryAfter = receiver.LimitedUntil.ToString("r");
                    break;
                default:
                    context.Response.StatusCode = status;
                    break;
            }
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }
}

/// <summary>One request as the receiver read it: path, headers (names in any case), body bytes, the status it answered (0: none, it hung) and when.</summary>
internal sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Status, DateTimeOffset At, string Protocol);
