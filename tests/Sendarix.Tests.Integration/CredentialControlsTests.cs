using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Logging;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Credential controls: network allowlists, throttling of failed AUTH per client address and per username across
/// the cluster, and rotation with two credentials valid at once. Other loopback addresses stand in for other clients.
/// </summary>
public sealed class CredentialControlsTests : IAsyncLifetime
{
    readonly LogCapture _logs = new();
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Smtp:AuthFailureLimit"] = "3";
        settings["Sendarix:Smtp:AuthFailureWindow"] = "00:01:00";
        settings["Sendarix:Smtp:AuthLockout"] = "00:00:04";
        // Every line the relay writes reaches the capture; the console stays quiet.
        settings["Logging:LogLevel:Default"] = "Debug";
        settings["Logging:Console:LogLevel:Default"] = "Warning";
        _relay = await Relay.StartAsync(settings, logs: _logs);
    }

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task A_credential_limited_to_other_networks_fails_like_a_wrong_password_and_the_tenant_sees_an_event()
    {
        var tenant = await _relay.CreateTenantAsync();
        var limited = await IssueAsync(tenant.TenantId, ["10.0.0.0/8", "2001:db8::/32"]);
        var loopback = await IssueAsync(tenant.TenantId, ["127.0.0.0/8"]);

        Assert.StartsWith("535 5.7.8", await AuthAsync("127.0.0.31", limited.Username, limited.Secret));
        Assert.StartsWith("235 2.7.0", await AuthAsync("127.0.0.31", loopback.Username, loopback.Secret));

        var events = await Eventually.GetAsync(
            async () => (await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/events"), HttpStatusCode.OK)).GetProperty("items"),
            e => e.GetArrayLength() > 0, TimeSpan.FromSeconds(30), "the refused AUTH event");
        Assert.Equal("auth.refused_network", events[0].GetProperty("type").GetString());
        Assert.Equal("127.0.0.31", events[0].GetProperty("remoteAddress").GetString());
        Assert.Equal(limited.Username, events[0].GetProperty("username").GetString());

        var invalid = await _relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/credentials", new { allowedNetworks = new[] { "10.0.0.0/33" } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task Repeated_failures_from_one_address_lock_it_out_for_a_while_but_not_other_addresses()
    {
        var tenant = await _relay.CreateTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("535 5.7.8", await AuthAsync("127.0.0.32", $"guess{i}", "wrong"));
        }

        Assert.StartsWith("454 4.7.0", await AuthAsync("127.0.0.32", tenant.Username, tenant.Secret));
        Assert.StartsWith("235 2.7.0", await AuthAsync("127.0.0.33", tenant.Username, tenant.Secret));
        await Eventually.TrueAsync(async () => (await AuthAsync("127.0.0.32", tenant.Username, tenant.Secret)).StartsWith("235", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the lockout to end");
    }

    [Fact]
    public async Task Usernames_the_relay_never_issues_count_as_failed_attempts_of_the_address()
    {
        var tenant = await _relay.CreateTenantAsync();
        foreach (var username in new[] { "   ", "", new string('x', 500) })
        {
            Assert.StartsWith("535 5.7.8", await AuthAsync("127.0.0.34", username, "wrong"));
        }

        Assert.StartsWith("454 4.7.0", await AuthAsync("127.0.0.34", tenant.Username, tenant.Secret));
    }

    [Fact]
    public async Task Refused_auth_never_logs_a_secret_and_a_flood_of_junk_or_lock_outs_costs_one_line_each()
    {
        var tenant = await _relay.CreateTenantAsync();
        // Clients that put the secret in the wrong field, or a wrong password that contains it.
        Assert.StartsWith("535 5.7.8", await AuthAsync("127.0.0.60", tenant.Secret, tenant.Secret));
        Assert.StartsWith("535 5.7.8", await AuthAsync("127.0.0.61", tenant.Username, tenant.Secret + "x"));
        Assert.StartsWith("535 5.7.8", await AuthAsync("127.0.0.61", $"{tenant.Username} {tenant.Secret}", "x"));
        // A flood of usernames the relay never issues, from many addresses.
        for (var i = 0; i < 20; i++)
        {
            Assert.StartsWith("535 5.7.8", await AuthAsync($"127.0.0.{70 + i}", new string(' ', i + 1), "x"));
        }

        // One address locked out that keeps trying.
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("535 5.7.8", await AuthAsync("127.0.0.62", $"guess{i}", "wrong"));
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.StartsWith("454 4.7.0", await AuthAsync("127.0.0.62", tenant.Username, tenant.Secret));
        }

        var lines = _logs.Lines;
        var fragments = Enumerable.Range(0, tenant.Secret.Length - 11).Select(i => tenant.Secret.Substring(i, 12)).ToList();
        Assert.DoesNotContain(lines, l => fragments.Any(f => l.Text.Contains(f, StringComparison.Ordinal)));
        Assert.Single(lines, l => l.EventName == "AuthMalformed");
        Assert.Single(lines, l => l.EventName == "AuthLockedOut");
        Assert.DoesNotContain(lines, l => l.Category.StartsWith("Sendarix.Reception", StringComparison.Ordinal) && l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Repeated_failures_for_one_username_from_many_addresses_lock_that_username_out()
    {
        var tenant = await _relay.CreateTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("535 5.7.8", await AuthAsync($"127.0.0.{40 + i}", tenant.Username, "wrong"));
        }

        Assert.StartsWith("454 4.7.0", await AuthAsync("127.0.0.44", tenant.Username, tenant.Secret));
    }

    [Fact]
    public async Task Credentials_rotate_without_downtime()
    {
        var tenant = await _relay.CreateTenantAsync();
        var next = await IssueAsync(tenant.TenantId, []);
        Assert.StartsWith("235 2.7.0", await AuthAsync("127.0.0.50", tenant.Username, tenant.Secret));
        Assert.StartsWith("235 2.7.0", await AuthAsync("127.0.0.50", next.Username, next.Secret));

        var revoke = await _relay.Api.DeleteAsync($"/v1/tenants/{tenant.TenantId}/credentials/{tenant.CredentialId}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await Eventually.TrueAsync(async () => (await AuthAsync("127.0.0.51", tenant.Username, tenant.Secret)).StartsWith("535", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the old credential to be refused");
        Assert.StartsWith("235 2.7.0", await AuthAsync("127.0.0.50", next.Username, next.Secret));
    }

    async Task<(string Username, string Secret)> IssueAsync(string tenantId, string[] networks)
    {
        var issued = await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{tenantId}/credentials", new { label = "ci", allowedNetworks = networks }), HttpStatusCode.Created);
        Assert.Equal(networks, issued.GetProperty("allowedNetworks").EnumerateArray().Select(n => n.GetString()));
        return (issued.GetProperty("username").GetString()!, issued.GetProperty("secret").GetString()!);
    }

    async Task<string> AuthAsync(string from, string username, string secret)
    {
        await using var smtp = await RawSmtp.ConnectAsync(_relay.ImplicitTlsPort, implicitTls: true, from: from);
        await smtp.EhloAsync();
        return await smtp.CommandAsync($"AUTH PLAIN {Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{username}\0{secret}"))}");
    }
}
