using System.Text;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// AUTH PLAIN and LOGIN with hostile usernames and passwords: each is a wrong credential (535 5.7.8), never a
/// temporary failure that tells the client to retry forever, and only the real pair authenticates.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class AuthInputTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    static readonly (string Name, byte[] Value)[] Hostile =
    [
        ("empty", []),
        ("whitespace", "   "u8.ToArray()),
        ("tab", "\t"u8.ToArray()),
        ("over-long", Encoding.ASCII.GetBytes(new string('a', 1000))),
        ("NUL inside", "sx\0abc"u8.ToArray()),
        ("not UTF-8", [0xff, 0xfe, 0xc3, 0x28]),
        ("CR LF inside", "sx\r\nQUIT"u8.ToArray()),
        ("quote and slash", "\"../'"u8.ToArray()),
        ("non-ASCII", "ünïcødé"u8.ToArray()),
    ];

    [Fact]
    public async Task Hostile_usernames_and_passwords_get_535_with_plain_and_login()
    {
        var tenant = await Relay.CreateTenantAsync("Auth sweep");
        var username = Encoding.ASCII.GetBytes(tenant.Username);
        var secret = Encoding.ASCII.GetBytes(tenant.Secret);
        List<(string Name, byte[] Value)> users = [.. Hostile, ("real username", username), ("real username and NUL", [.. username, 0])];
        List<(string Name, byte[] Value)> passwords = [.. Hostile, ("real secret", secret), ("real secret and NUL", [.. secret, 0]), ("the username", username)];

        var cases = (from u in users from p in passwords from plain in new[] { true, false }
                     where !(u.Name == "real username" && p.Name == "real secret")
                     select (u, p, plain)).ToList();
        var failures = new List<string>();
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(cases.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                var reply = await AuthAsync(c.plain, c.u.Value, c.p.Value);
                if (!reply.StartsWith("535 5.7.8", StringComparison.Ordinal))
                {
                    lock (failures)
                    {
                        failures.Add($"{(c.plain ? "PLAIN" : "LOGIN")} username {c.u.Name}, password {c.p.Name}: {reply}");
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} hostile AUTH attempts were not answered 535 5.7.8:\n{string.Join("\n", failures)}");
        // The sweep did not lock the real credential out, and it still works both ways.
        Assert.StartsWith("235 2.7.0", await AuthAsync(true, username, secret));
        Assert.StartsWith("235 2.7.0", await AuthAsync(false, username, secret));
    }

    [Fact]
    public async Task A_username_longer_than_a_command_line_is_refused_and_the_session_goes_on()
    {
        await using var smtp = await RawSmtp.ConnectAsync(Relay.ImplicitTlsPort, implicitTls: true);
        await smtp.EhloAsync();
        var huge = Convert.ToBase64String(Encoding.ASCII.GetBytes($"\0{new string('u', 10_000)}\0secret"));
        Assert.Matches("^5[0-9][0-9] 5\\.", await smtp.CommandAsync($"AUTH PLAIN {huge}"));
        Assert.StartsWith("250 2.0.0", await smtp.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task A_response_longer_than_a_command_line_ends_the_login_and_the_next_line_is_a_command()
    {
        await using var smtp = await RawSmtp.ConnectAsync(Relay.ImplicitTlsPort, implicitTls: true);
        await smtp.EhloAsync();
        Assert.StartsWith("334", await smtp.CommandAsync("AUTH LOGIN"));
        Assert.StartsWith("500 5.5.6", await smtp.CommandAsync(Convert.ToBase64String(new byte[10_000])));
        Assert.StartsWith("250 2.0.0", await smtp.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task The_last_allowed_failed_login_is_answered_535_then_421_and_the_session_closes()
    {
        await using var smtp = await RawSmtp.ConnectAsync(Relay.ImplicitTlsPort, implicitTls: true, from: "127.0.0.91");
        await smtp.EhloAsync();
        var wrong = $"AUTH PLAIN {Convert.ToBase64String("\0nobody-here\0wrong"u8.ToArray())}";
        Assert.StartsWith("535 5.7.8", await smtp.CommandAsync(wrong));
        Assert.StartsWith("535 5.7.8", await smtp.CommandAsync(wrong));

        // The library follows the third failure with a 221 of its own, which answers the same AUTH: a pipelined NOOP
        // behind it is never answered with that 221.
        await smtp.SendAsync($"{wrong}\r\nNOOP\r\n");
        Assert.StartsWith("535 5.7.8", (await smtp.ReadReplyAsync())[^1]);
        Assert.StartsWith("421 4.7.0 Too many failed authentication attempts", (await smtp.ReadReplyAsync())[^1]);
        Assert.True(await smtp.IsClosedAsync(TimeSpan.FromSeconds(10)));
    }

    async Task<string> AuthAsync(bool plain, byte[] username, byte[] password)
    {
        await using var smtp = await RawSmtp.ConnectAsync(Relay.ImplicitTlsPort, implicitTls: true);
        await smtp.EhloAsync();
        if (plain)
        {
            return await smtp.CommandAsync($"AUTH PLAIN {Convert.ToBase64String([0, .. username, 0, .. password])}");
        }

        var first = await smtp.CommandAsync("AUTH LOGIN");
        if (!first.StartsWith("334", StringComparison.Ordinal))
        {
            return first;
        }

        var second = await smtp.CommandAsync(Convert.ToBase64String(username));
        return second.StartsWith("334", StringComparison.Ordinal) ? await smtp.CommandAsync(Convert.ToBase64String(password)) : second;
    }
}
