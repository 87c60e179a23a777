using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>Floods and idle clients: limits on connections per client and on idle time, each with a clear 421.</summary>
public sealed class SessionLimitsTests : IAsyncLifetime
{
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Smtp:IdleTimeout"] = "00:00:02";
        settings["Sendarix:Smtp:MaxConnectionsPerClient"] = "3";
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task A_client_past_its_connection_limit_gets_421_and_is_disconnected()
    {
        var open = new List<RawSmtp>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                open.Add(await RawSmtp.ConnectAsync(_relay.StartTlsPort));
                Assert.StartsWith("220 ", open[^1].Greeting);
            }

            await using var extra = await RawSmtp.ConnectAsync(_relay.StartTlsPort);
            Assert.StartsWith("421 4.7.0", extra.Greeting);
            Assert.True(await extra.IsClosedAsync(TimeSpan.FromSeconds(10)));

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await Eventually.TrueAsync(async () =>
            {
                await using var again = await RawSmtp.ConnectAsync(_relay.StartTlsPort);
                return again.Greeting.StartsWith("220 ", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(10), "a slot to free up after a client left");
        }
        finally
        {
            foreach (var smtp in open)
            {
                await smtp.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_idle_session_is_closed_with_421()
    {
        await using var smtp = await RawSmtp.ConnectAsync(_relay.StartTlsPort);
        Assert.StartsWith("250 2.0.0", await smtp.CommandAsync("NOOP"));
        var reply = await smtp.ReadReplyAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("421 4.4.2", Assert.Single(reply));
        Assert.True(await smtp.IsClosedAsync(TimeSpan.FromSeconds(10)));
    }
}
