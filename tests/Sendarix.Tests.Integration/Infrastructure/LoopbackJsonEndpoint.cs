using System.Net;
using System.Text.Json;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// A plain-HTTP JSON endpoint on 127.0.0.1 for the tests' stand-ins of identity services (a managed identity endpoint,
/// an OpenID Connect issuer, an OAuth token endpoint): each request is answered with the status and JSON body the
/// stand-in's handler gives, one at a time, until disposed.
/// </summary>
internal sealed class LoopbackJsonEndpoint : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Func<HttpListenerRequest, Task<(HttpStatusCode Status, object Body)>> _handle;
    readonly Task _serving;

    public LoopbackJsonEndpoint(Func<HttpListenerRequest, Task<(HttpStatusCode Status, object Body)>> handle)
    {
        _handle = handle;
        Port = Ports.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var (status, body) = await _handle(context.Request);
            context.Response.StatusCode = (int)status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body));
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(5));
    }
}
