using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sendarix.Core.Webhooks;
using Sendarix.Delivery.Webhooks;
using Sendarix.Network.Dns;
using Sendarix.Network.Webhooks;
using Sendarix.Tests.Integration.Infrastructure;
using StandardWebhooks;

namespace Sendarix.Tests.Integration;

/// <summary>
/// The webhook sender against a real HTTPS receiver on loopback, its name resolved by a real DNS server: signed
/// requests arrive and verify with an independent implementation, redirects are not followed, a silent receiver
/// times out, Retry-After is read, TLS is verified against the test CA, and with private addresses off nothing on
/// loopback is ever connected to, whatever the name resolves to.
/// </summary>
public sealed class WebhookSenderTests : IAsyncLifetime
{
    const string Body = """{"type":"delivered","timestamp":"2026-12-01T12:00:00Z","data":{"messageId":"t1-abc","recipient":"ünï@example.com"}}""";

    readonly Dnsmasq _dns = new();
    WebhookReceiver _receiver = null!;

    string Url(string path, string host = "receiver.test") => $"https://{host}:{_receiver.Port}{path}";

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync("receiver.test");
        await _dns.StartAsync(["--host-record=receiver.test,127.0.0.1", "--host-record=misnamed.test,127.0.0.1", "--host-record=rebound.test,192.0.2.10,::1"]);
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _dns.Dispose();
    }

    [Fact]
    public async Task A_signed_request_arrives_with_its_headers_and_body_and_an_independent_verifier_accepts_it()
    {
        using var sender = Sender();
        string[] secrets = [WebhookSecret.Format(WebhookSecret.NewKey()), WebhookSecret.Format(WebhookSecret.NewKey())];
        var now = DateTimeOffset.UtcNow;
        var body = Encoding.UTF8.GetBytes(Body);

        var result = await sender.SendAsync(WebhookRequest.Signed(Url("/ok"), "msg_sent1", now, body, secrets), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        Assert.Equal(204, result.StatusCode);
        Assert.Equal(WebhookFailure.None, result.Failure);
        Assert.True(result.Latency > TimeSpan.Zero);
        var received = Assert.Single(_receiver.Requests, r => r.Headers.GetValueOrDefault("webhook-id") == "msg_sent1");
        Assert.Equal(body, received.Body);
        // The receiver offers HTTP/2 over TLS, as current web servers do: it is taken.
        Assert.Equal("HTTP/2", received.Protocol);
        Assert.Equal("application/json", received.Headers["Content-Type"]);
        Assert.Equal("Sendarix-Webhooks/1", received.Headers["User-Agent"]);
        Assert.Equal(now.ToUnixTimeSeconds().ToString(), received.Headers["webhook-timestamp"]);

        var headers = new HeaderDictionary(received.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value)));
        var text = Encoding.UTF8.GetString(received.Body);
        new StandardWebhook(secrets[0]).Verify(text, headers);

        // Both secrets of a rotation sign; the package never looks at a header's last signature, so each is shown alone.
        var signatures = received.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        for (var i = 0; i < secrets.Length; i++)
        {
            headers["webhook-signature"] = signatures[i];
            new StandardWebhook(secrets[i]).Verify(text, headers);
        }
    }

    [Fact]
    public async Task Connections_are_pooled_between_attempts()
    {
        using var sender = Sender();
        var before = _receiver.Connections;
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await SendAsync(sender, Url("/ok"))).Delivered);
        }

        Assert.Equal(before + 1, _receiver.Connections);
    }

    [Fact]
    public async Task A_redirect_is_a_failure_and_is_not_followed()
    {
        using var sender = Sender();
        var id = $"msg_{Guid.NewGuid():N}";

        var result = await sender.SendAsync(WebhookRequest.Signed(Url("/redirect"), id, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(Body), [Secret()]), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(302, result.StatusCode);
        Assert.Equal(WebhookFailure.Status, result.Failure);
        Assert.Contains("redirects are not followed", result.Error);
        Assert.Equal("/redirect", Assert.Single(_receiver.Requests, r => r.Headers.GetValueOrDefault("webhook-id") == id).Path);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_times_out_at_the_configured_time()
    {
        using var sender = Sender(timeout: TimeSpan.FromMilliseconds(700));

        var result = await SendAsync(sender, Url("/hang"));

        Assert.Equal(WebhookFailure.Timeout, result.Failure);
        Assert.Null(result.StatusCode);
        Assert.Contains("0.7 s", result.Error);
        Assert.InRange(result.Latency, TimeSpan.FromMilliseconds(650), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Retry_after_is_read_in_seconds_and_as_an_http_date()
    {
        using var sender = Sender();
        _receiver.LimitedUntil = DateTimeOffset.UtcNow.AddMinutes(10);

        var busy = await SendAsync(sender, Url("/busy"));
        var limited = await SendAsync(sender, Url("/limited"));
        var gone = await SendAsync(sender, Url("/gone"));

        Assert.Equal((503, TimeSpan.FromSeconds(120)), (busy.StatusCode!.Value, busy.RetryAfter!.Value));
        Assert.Equal(429, limited.StatusCode);
        Assert.InRange(limited.RetryAfter!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Equal((410, WebhookFailure.Status, (TimeSpan?)null), (gone.StatusCode!.Value, gone.Failure, gone.RetryAfter));
        Assert.Equal(WebhookAttemptOutcome.Gone, WebhookRetrySchedule.Default.AfterAttempt(1, gone.StatusCode, gone.RetryAfter, DateTimeOffset.UtcNow).Outcome);
    }

    [Fact]
    public async Task Without_private_addresses_nothing_on_loopback_is_connected_to()
    {
        using var sender = Sender(allowPrivate: false);
        var before = _receiver.Connections;

        // The name passed no check when stored (this sender is called directly); the connection itself is refused.
        var byName = await SendAsync(sender, Url("/ok"));
        var literal = await SendAsync(sender, $"https://127.0.0.1:{_receiver.Port}/ok");
        var mapped = await SendAsync(sender, $"https://[::ffff:127.0.0.1]:{_receiver.Port}/ok");
        var http = await SendAsync(sender, $"http://receiver.test:{_receiver.Port}/ok");

        Assert.All(new[] { byName, literal, mapped, http }, r => Assert.Equal(WebhookFailure.Refused, r.Failure));
        Assert.Contains("receiver.test resolves to 127.0.0.1, a loopback address", byName.Error);
        Assert.Contains("loopback", literal.Error);
        Assert.Contains("https://", http.Error);
        Assert.Equal(before, _receiver.Connections);
    }

    [Fact]
    public async Task A_name_with_a_public_and_a_loopback_address_is_refused_when_stored_and_only_its_public_one_is_connected_to()
    {
        // rebound.test has 192.0.2.10 (documentation: routed nowhere, so it is not connected to here) and ::1.
        var guard = Guard(allowPrivate: false);

        var (permitted, refused) = await guard.ResolveAsync("rebound.test", CancellationToken.None);
        var stored = await guard.CheckAsync("https://rebound.test/hook", CancellationToken.None);

        Assert.Equal([System.Net.IPAddress.Parse("192.0.2.10")], permitted);
        Assert.Equal(System.Net.IPAddress.IPv6Loopback, refused);
        Assert.Null(stored.Url);
        Assert.Contains("resolves to ::1, a loopback address", stored.Problem);
    }

    [Fact]
    public async Task Tls_is_verified_against_the_trusted_roots_and_the_host_name()
    {
        using var untrusting = Sender(trustTestCa: false);
        using var sender = Sender();

        var untrusted = await SendAsync(untrusting, Url("/ok"));
        var misnamed = await SendAsync(sender, Url("/ok", "misnamed.test"));

        Assert.Equal(WebhookFailure.TlsFailed, untrusted.Failure);
        Assert.Contains("trusted root", untrusted.Error);
        Assert.Equal(WebhookFailure.TlsFailed, misnamed.Failure);
        Assert.Contains("does not name the host", misnamed.Error);
        Assert.DoesNotContain(_receiver.Requests, r => r.Headers.GetValueOrDefault("Host")?.StartsWith("misnamed.test", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_port_nothing_listens_on_and_a_name_without_addresses_are_connection_failures()
    {
        using var sender = Sender();

        var closed = await SendAsync(sender, $"https://receiver.test:{Ports.Free()}/ok");
        var nowhere = await SendAsync(sender, $"https://nowhere.test:{_receiver.Port}/ok");

        Assert.Equal(WebhookFailure.ConnectionFailed, closed.Failure);
        Assert.Contains("ConnectionRefused", closed.Error);
        Assert.Equal(WebhookFailure.ConnectionFailed, nowhere.Failure);
        Assert.Contains("nowhere.test has no address", nowhere.Error);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_an_endpoint_failure()
    {
        using var sender = Sender(timeout: TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            sender.SendAsync(WebhookRequest.Signed(Url("/hang"), "msg_cancel", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(Body), [Secret()]), cts.Token));
    }

    static Task<WebhookAttemptResult> SendAsync(WebhookSender sender, string url) =>
        sender.SendAsync(WebhookRequest.Signed(url, $"msg_{Guid.NewGuid():N}", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(Body), [Secret()]), CancellationToken.None);

    static string Secret() => WebhookSecret.Format(WebhookSecret.NewKey());

    WebhookUrlGuard Guard(bool allowPrivate) =>
        new(new DnsLookup(Options.Create(new DnsOptions { Servers = [_dns.Server] })), Options.Create(new WebhookOptions { AllowPrivateAddresses = allowPrivate }));

    /// <summary>A sender as the silo makes one, on the test's DNS server.</summary>
    WebhookSender Sender(bool allowPrivate = true, TimeSpan? timeout = null, bool trustTestCa = true)
    {
        var rules = Options.Create(new WebhookOptions { AllowPrivateAddresses = allowPrivate });
        return new WebhookSender(Guard(allowPrivate), rules,
            Options.Create(new WebhookSenderOptions { Timeout = timeout ?? TimeSpan.FromSeconds(10), TrustedCaFile = trustTestCa ? TestCa.PemPath : null }),
            TimeProvider.System, NullLogger<WebhookSender>.Instance);
    }
}
