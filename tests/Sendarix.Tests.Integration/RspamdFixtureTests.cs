using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// The <see cref="Rspamd"/> fixture runs a real rspamd: it rejects GTUBE, lets a plain message through, refuses
/// connections once stopped and answers again on the same port once started again.
/// </summary>
public sealed class RspamdFixtureTests : IAsyncLifetime
{
    const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    readonly Rspamd _rspamd = new();

    public Task InitializeAsync() => _rspamd.StartAsync();

    public async Task DisposeAsync() => await _rspamd.DisposeAsync();

    [Fact]
    public async Task Rspamd_rejects_GTUBE_passes_a_plain_message_and_comes_back_on_the_same_port_after_a_stop()
    {
        Assert.Equal("reject", await ActionAsync(Message("Test", Gtube)));
        Assert.Equal("no action", await ActionAsync(Message("Meeting notes", "Hi Bob,\r\n\r\nhere are the notes from this morning's meeting.")));

        await _rspamd.StopAsync();
        var refused = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, _rspamd.Port);
        });
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        await _rspamd.StartAsync();
        using (var http = new HttpClient())
        {
            Assert.Equal("pong", (await http.GetStringAsync($"{_rspamd.Url}/ping")).Trim());
        }

        Assert.Equal("reject", await ActionAsync(Message("Test again", Gtube)));
    }

    static string Message(string subject, string body) =>
        $"From: a@example.com\r\nTo: b@example.org\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n" +
        $"Date: {DateTimeOffset.UtcNow:R}\r\n\r\n{body}\r\n";

    /// <summary>Scans as the relay would, with the envelope in headers; returns rspamd's action.</summary>
    async Task<string?> ActionAsync(string message)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_rspamd.Url}/checkv2") { Content = new ByteArrayContent(Encoding.ASCII.GetBytes(message)) };
        foreach (var (name, value) in new[] { ("User", "tenant1"), ("IP", "127.0.0.1"), ("Helo", "client.test"), ("From", "a@example.com"), ("Rcpt", "b@example.org") })
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("action").GetString();
    }
}
