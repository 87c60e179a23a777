using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sendarix.Bench;

/// <summary>
/// A webhook receiver for the benchmark: on 127.0.0.1, HTTPS (HTTP/1.1 and HTTP/2, as receivers behind a current web
/// server or load balancer offer) when given a certificate, plain HTTP/1.1 otherwise; answers 204 to any POST, and appends one line per
/// event to a log (path, type, message id, event id, event time and receipt time in Unix milliseconds), so the
/// report can tell which events arrived, how often, and how late. It does not verify signatures: the tests do.
/// </summary>
internal static class WebhookReceiver
{
    public const string Usage = "usage: Sendarix.Bench receive PORT LOG_FILE [CERTIFICATE_PFX]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 2 or > 3 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var port))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var writer = WriteAsync(args[1], lines.Reader);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen =>
        {
            if (args.Length == 3)
            {
                listen.UseHttps(X509CertificateLoader.LoadPkcs12FromFile(args[2], null));
            }
        }));
        var app = builder.Build();
        app.MapPost("/{name}", async (HttpContext context, string name) =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var received = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var envelopes = body.RootElement.ValueKind == JsonValueKind.Array ? body.RootElement.EnumerateArray().ToList() : [body.RootElement];
            foreach (var e in envelopes)
            {
                var data = e.GetProperty("data");
                var messageId = data.GetProperty("messageId") is { ValueKind: JsonValueKind.String } m ? m.GetString() : "-";
                lines.Writer.TryWrite(string.Create(CultureInfo.InvariantCulture,
                    $"{name}\t{e.GetProperty("type").GetString()}\t{messageId}\t{data.GetProperty("id").GetString()}\t{e.GetProperty("timestamp").GetDateTimeOffset().ToUnixTimeMilliseconds()}\t{received}"));
            }

            return Results.NoContent();
        });
        await app.RunAsync();
        lines.Writer.Complete();
        await writer;
        return 0;
    }

    // Flushed often, so the report can read the log while events still arrive.
    static async Task WriteAsync(string path, ChannelReader<string> lines)
    {
        await using var file = new StreamWriter(path, append: true);
        while (await lines.WaitToReadAsync())
        {
            while (lines.TryRead(out var line))
            {
                await file.WriteLineAsync(line);
            }

            await file.FlushAsync();
            await Task.Delay(50);
        }
    }
}
