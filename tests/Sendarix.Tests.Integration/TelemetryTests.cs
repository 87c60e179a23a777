using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>After a refused AUTH and deliveries (one simulated, one over SMTP), the Prometheus endpoint shows the documented metrics.</summary>
[Collection(RelayCollection.Name)]
public sealed class TelemetryTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task The_prometheus_endpoint_shows_the_documented_metrics_after_a_delivery()
    {
        var tenant = await Relay.CreateTenantAsync("Telemetry");
        using (var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
            await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(tenant.Username, "not-the-secret"));
        }

        var id = await Relay.SubmitAsync(tenant, [$"success+{Guid.NewGuid():N}@simulator.invalid", $"telemetry-{Guid.NewGuid():N}@sink.test"], "telemetry");
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");

        using var http = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        string[] expected =
        [
            "sendarix_smtp_sessions_open", "sendarix_smtp_auth_failures_total", "sendarix_messages_accepted_total",
            "sendarix_commit_batch_size_bucket", "sendarix_commit_duration_seconds_bucket", "sendarix_deliveries_total",
            "sendarix_delivery_duration_seconds_bucket", "sendarix_queue_depth", "sendarix_queue_oldest_age_seconds",
            "sendarix_throttle_wait_seconds_bucket",
        ];
        var text = await Eventually.GetAsync(async () =>
        {
            using var response = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }, t => expected.All(t.Contains), TimeSpan.FromSeconds(30), "every documented metric at /metrics");

        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("sendarix_messages_accepted_total{", StringComparison.Ordinal) && l.Contains($"tenant=\"{tenant.TenantId}\""));
        Assert.Contains(lines, l => l.StartsWith("sendarix_deliveries_total{", StringComparison.Ordinal) && l.Contains($"tenant=\"{tenant.TenantId}\"")
            && l.Contains("outcome=\"delivered\"") && l.Contains("provider=\"simulator\""));

        // The send to the sink waited for a connection slot of its provider's throttle (a moment, with none busy).
        Assert.Contains(lines, l => l.StartsWith("sendarix_throttle_wait_seconds_count{", StringComparison.Ordinal) && l.Contains("limit=\"connection\"")
            && l.Contains("provider=\""));
    }
}
