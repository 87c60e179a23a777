using System.Text;
using System.Text.RegularExpressions;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>The submission front-end against a bare client: what it offers, what it refuses, and how it says so.</summary>
[Collection(RelayCollection.Name)]
public sealed partial class SubmissionProtocolTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task Offers_auth_only_after_starttls_and_reveals_no_software_version()
    {
        await using var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        Assert.Equal("220 relay.test ESMTP ready", smtp.Greeting);

        var plain = await smtp.EhloAsync();
        Assert.Contains("STARTTLS", plain);
        Assert.DoesNotContain(plain, e => e.StartsWith("AUTH", StringComparison.Ordinal));

        Assert.StartsWith("220 2.0.0", await smtp.CommandAsync("STARTTLS"));
        var secure = await UpgradeAndEhloAsync(smtp);
        Assert.Equal(["relay.test", "PIPELINING", "SIZE 52428800", "8BITMIME", "CHUNKING", "DSN", "SMTPUTF8", "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER"], secure);
    }

    [Fact]
    public async Task Refuses_credentials_over_plaintext_and_mail_before_auth()
    {
        var tenant = await Relay.CreateTenantAsync();
        await using var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        await smtp.EhloAsync();
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{tenant.Username}\0{tenant.Secret}"));
        Assert.StartsWith("538 5.7.11", await smtp.CommandAsync($"AUTH PLAIN {plain}"));
        Assert.StartsWith("530 5.7.0", await smtp.CommandAsync("MAIL FROM:<a@shop.test>"));

        await using var tls = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        await tls.SecureAsync();
        Assert.StartsWith("530 5.7.0", await tls.CommandAsync("MAIL FROM:<a@shop.test>"));
    }

    [Fact]
    public async Task Wrong_passwords_get_535_and_the_third_closes_the_session()
    {
        var tenant = await Relay.CreateTenantAsync();
        await using var smtp = await RawSmtp.ConnectAsync(Relay.ImplicitTlsPort, implicitTls: true);
        await smtp.EhloAsync();
        var wrong = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{tenant.Username}\0not-the-secret"));
        Assert.StartsWith("535 5.7.8", await smtp.CommandAsync($"AUTH PLAIN {wrong}"));
        Assert.StartsWith("535 5.7.8", await smtp.CommandAsync($"AUTH PLAIN {wrong}"));
        await smtp.SendAsync($"AUTH PLAIN {wrong}\r\n");
        var last = await smtp.ReadReplyAsync();
        Assert.StartsWith("535 5.7.8", last[0]);
        Assert.StartsWith("421 4.7.0", (await smtp.ReadReplyAsync())[0]);
        Assert.True(await smtp.IsClosedAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Auth_login_and_two_step_auth_plain_both_work()
    {
        var tenant = await Relay.CreateTenantAsync();
        string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        await using var login = await RawSmtp.ConnectAsync(Relay.ImplicitTlsPort, implicitTls: true);
        await login.EhloAsync();
        Assert.StartsWith("334", await login.CommandAsync("AUTH LOGIN"));
        Assert.StartsWith("334", await login.CommandAsync(B64(tenant.Username)));
        Assert.StartsWith("235 2.7.0", await login.CommandAsync(B64(tenant.Secret)));
        Assert.StartsWith("250 2.1.0", await login.CommandAsync($"MAIL FROM:<{tenant.Sender}>"));

        await using var initial = await RawSmtp.ConnectAsync(Relay.ImplicitTlsPort, implicitTls: true);
        await initial.EhloAsync();
        Assert.StartsWith("334", await initial.CommandAsync($"AUTH LOGIN {B64(tenant.Username)}"));
        Assert.StartsWith("235 2.7.0", await initial.CommandAsync(B64(tenant.Secret)));

        await using var plain = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        await plain.SecureAsync();
        Assert.StartsWith("334", await plain.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("235 2.7.0", await plain.CommandAsync(B64($"\0{tenant.Username}\0{tenant.Secret}")));
    }

    [Fact]
    public async Task Malformed_auth_exchanges_fail_cleanly_without_breaking_the_session()
    {
        await using var smtp = await RawSmtp.ConnectAsync(Relay.ImplicitTlsPort, implicitTls: true);
        await smtp.EhloAsync();
        Assert.StartsWith("535 5.7.8", await smtp.CommandAsync("AUTH PLAIN not*base64"));
        Assert.StartsWith("334", await smtp.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("535 5.7.8", await smtp.CommandAsync("*"));
        Assert.StartsWith("250 2.0.0", await smtp.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Every_reply_to_a_pipelined_transaction_carries_an_enhanced_code()
    {
        await using var smtp = await AuthenticatedAsync();

        await smtp.SendAsync($"MAIL FROM:<{smtp.From}>\r\nRCPT TO:<x@sink.test>\r\nRCPT TO:<bad address>\r\nRCPT TO:<y@sink.test>\r\nDATA\r\n");
        string[] expected = ["250 2.1.0", "250 2.1.5", "501 5.1.3", "250 2.1.5", "354 "];
        foreach (var prefix in expected)
        {
            Assert.StartsWith(prefix, (await smtp.ReadReplyAsync())[0]);
        }

        await smtp.SendAsync($"From: <{smtp.From}>\r\nSubject: pipelined\r\n\r\nbody\r\n.\r\nRSET\r\nRCPT TO:<z@sink.test>\r\nNOOP\r\nQUIT\r\n");
        var replies = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            replies.Add((await smtp.ReadReplyAsync())[0]);
        }

        Assert.StartsWith("250 2.0.0 OK: queued as ", replies[0]);
        Assert.StartsWith("250 2.0.0", replies[1]);
        Assert.StartsWith("503 5.5.1", replies[2]);
        Assert.StartsWith("250 2.0.0", replies[3]);
        Assert.StartsWith("221 2.0.0", replies[4]);
        Assert.All(replies, r => Assert.Matches(EnhancedReply(), r));
    }

    [Fact]
    public async Task Refuses_more_recipients_than_the_limit()
    {
        await using var smtp = await AuthenticatedAsync();
        await smtp.CommandAsync($"MAIL FROM:<{smtp.From}>");
        var commands = string.Concat(Enumerable.Range(0, 101).Select(i => $"RCPT TO:<r{i}@sink.test>\r\n"));
        await smtp.SendAsync(commands);
        for (var i = 0; i < 100; i++)
        {
            Assert.StartsWith("250 2.1.5", (await smtp.ReadReplyAsync())[0]);
        }

        Assert.StartsWith("452 4.5.3", (await smtp.ReadReplyAsync())[0]);
    }

    [Fact]
    public async Task Refuses_oversized_messages_on_size_parameter_and_on_the_data_itself()
    {
        await using var smtp = await AuthenticatedAsync();
        Assert.StartsWith("552 5.3.4", await smtp.CommandAsync($"MAIL FROM:<{smtp.From}> SIZE=60000000"));

        var to = $"big-{Guid.NewGuid():N}@sink.test";
        Assert.StartsWith("250 2.1.0", await smtp.CommandAsync($"MAIL FROM:<{smtp.From}>"));
        Assert.StartsWith("250 2.1.5", await smtp.CommandAsync($"RCPT TO:<{to}>"));
        Assert.StartsWith("354", await smtp.CommandAsync("DATA"));
        var line = Encoding.ASCII.GetBytes(new string('x', 998) + "\r\n");
        await smtp.SendAsync("Subject: too big\r\n\r\n");
        for (var sent = 0; sent < 53 * 1024 * 1024; sent += line.Length * 64)
        {
            await smtp.SendAsync(Enumerable.Repeat(line, 64).SelectMany(b => b).ToArray());
        }

        Assert.StartsWith("552 5.3.4", await smtp.CommandAsync("."));
        Assert.StartsWith("250 2.0.0", await smtp.CommandAsync("NOOP"));
        Assert.DoesNotContain(fixture.Sink.Messages, m => m.Recipients.Contains(to));
    }

    [Theory]
    [InlineData("bare LF", "Subject: smuggle\r\n\r\nfirst\n.\nMAIL FROM:<evil@x.test>\r\n")]
    [InlineData("bare CR", "Subject: smuggle\r\n\r\nfirst\r.\rsecond\r\n")]
    public async Task Refuses_bare_line_breaks_so_nothing_can_be_smuggled(string what, string body)
    {
        await using var smtp = await AuthenticatedAsync();
        var to = $"smuggle-{Guid.NewGuid():N}@sink.test";
        await smtp.CommandAsync($"MAIL FROM:<{smtp.From}>");
        await smtp.CommandAsync($"RCPT TO:<{to}>");
        Assert.StartsWith("354", await smtp.CommandAsync("DATA"));
        await smtp.SendAsync(body);
        Assert.True((await smtp.CommandAsync(".")).StartsWith("554 5.6.0", StringComparison.Ordinal), what);
        Assert.DoesNotContain(fixture.Sink.Messages, m => m.Recipients.Contains(to));
    }

    [Fact]
    public async Task Ends_data_correctly_when_its_first_line_is_a_dot_and_refuses_a_message_without_from()
    {
        // A valid message starts with a header, never a dot; these are malformed, but must still end where the
        // client ended them (the library alone would not) and be refused, not relayed.
        await using var smtp = await AuthenticatedAsync();
        var to = $"dots-{Guid.NewGuid():N}@sink.test";
        await smtp.CommandAsync($"MAIL FROM:<{smtp.From}>");
        await smtp.CommandAsync($"RCPT TO:<{to}>");
        await smtp.CommandAsync("DATA");
        await smtp.SendAsync("..starts with a dot\r\nSubject: x\r\n\r\nbody\r\n");
        Assert.StartsWith("550 5.7.1", await smtp.CommandAsync("."));

        await smtp.CommandAsync($"MAIL FROM:<{smtp.From}>");
        await smtp.CommandAsync($"RCPT TO:<{to}>");
        await smtp.CommandAsync("DATA");
        Assert.StartsWith("550 5.7.1", await smtp.CommandAsync("."));
        Assert.StartsWith("250 2.0.0", await smtp.CommandAsync("NOOP"));
        Assert.DoesNotContain(fixture.Sink.Messages, m => m.Recipients.Contains(to));
    }

    [Fact]
    public async Task Refuses_long_lines_and_proxy_lines_and_keeps_the_session_usable()
    {
        await using var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        Assert.StartsWith("500 5.5.6", await smtp.CommandAsync("EHLO " + new string('a', 70_000)));
        Assert.StartsWith("502 5.5.1", await smtp.CommandAsync("PROXY TCP4 10.0.0.1 10.0.0.2 1111 25"));
        Assert.StartsWith("250 2.0.0", await smtp.CommandAsync("NOOP"));
        Assert.Contains("STARTTLS", await smtp.EhloAsync());

        // Commands pipelined right behind an over-long line are still answered, in order.
        await smtp.SendAsync("NOOP " + new string('b', 70_000) + "\r\nNOOP\r\nRSET\r\n");
        Assert.StartsWith("500 5.5.6", (await smtp.ReadReplyAsync())[0]);
        Assert.StartsWith("250 2.0.0", (await smtp.ReadReplyAsync())[0]);
        Assert.StartsWith("250 2.0.0", (await smtp.ReadReplyAsync())[0]);
    }

    [Fact]
    public async Task Ignores_commands_injected_before_the_tls_handshake()
    {
        await using var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        await smtp.EhloAsync();
        await smtp.SendAsync("STARTTLS\r\nMAIL FROM:<injected@x.test>\r\n");
        Assert.StartsWith("220 2.0.0", (await smtp.ReadReplyAsync())[0]);
        var secure = await UpgradeAndEhloAsync(smtp);
        Assert.Contains("AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER", secure);
        Assert.StartsWith("530 5.7.0", await smtp.CommandAsync("MAIL FROM:<a@shop.test>"));
    }

    /// <summary>A new tenant's session over STARTTLS, authenticated.</summary>
    async Task<RawSmtp> AuthenticatedAsync()
    {
        var tenant = await Relay.CreateTenantAsync();
        var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        await smtp.SecureAsync();
        await smtp.LoginAsync(tenant);
        return smtp;
    }

    static async Task<IReadOnlyList<string>> UpgradeAndEhloAsync(RawSmtp smtp)
    {
        await smtp.UpgradeAsync();
        return await smtp.EhloAsync();
    }

    [GeneratedRegex(@"^\d{3} [245]\.\d{1,3}\.\d{1,3} ")]
    private static partial Regex EnhancedReply();
}
