using System.Net;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>Liveness answers while the process runs; readiness lists storage, the cluster and the SMTP listeners, each healthy.</summary>
[Collection(RelayCollection.Name)]
public sealed class HealthTests(RelayFixture fixture)
{
    [Fact]
    public async Task Alive_answers_and_ready_reports_storage_cluster_and_smtp_healthy()
    {
        using var http = new HttpClient { BaseAddress = fixture.Relay.Api.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);

        var ready = await Relay.ReadAsync(await http.GetAsync("/health/ready"), HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var checks = ready.GetProperty("checks");
        foreach (var name in new[] { "storage", "cluster", "smtp" })
        {
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
        }

        Assert.Contains("starttls", checks.GetProperty("smtp").GetProperty("description").GetString());
    }
}
