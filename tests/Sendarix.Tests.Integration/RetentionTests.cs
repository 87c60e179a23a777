using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Sendarix.Storage;
using Sendarix.Storage.Retention;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>Retention: messages past it are deleted with their search rows and bodies; a message still in delivery never is.</summary>
[Collection(RelayCollection.Name)]
public sealed class RetentionTests(RelayFixture fixture)
{
    const string Simulator = "simulator.invalid";

    Relay Relay => fixture.Relay;

    [Fact]
    public async Task A_sweep_deletes_settled_messages_with_their_search_rows_and_bodies_and_keeps_one_still_deferred()
    {
        var tenant = await Relay.CreateTenantAsync("Retention");
        var other = await Relay.CreateTenantAsync("Retention other");
        var run = Guid.NewGuid().ToString("N")[..8];
        var delivered = await Relay.SubmitAsync(tenant, [$"success+{run}@{Simulator}"], "delivered");
        var bounced = await Relay.SubmitAsync(tenant, [$"bounce+{run}@{Simulator}"], "bounced");
        var deferred = await Relay.SubmitAsync(tenant, [$"timeout+{run}@{Simulator}"], "deferred");
        var neighbour = await Relay.SubmitAsync(other, [$"success+{run}@{Simulator}"], "another tenant's");
        await Relay.WaitForStatusAsync(delivered, TimeSpan.FromSeconds(30), "delivered");
        await Relay.WaitForStatusAsync(bounced, TimeSpan.FromSeconds(30), "bounced");
        await Relay.WaitForStatusAsync(deferred, TimeSpan.FromSeconds(30), "deferred");
        await Relay.WaitForStatusAsync(neighbour, TimeSpan.FromSeconds(30), "delivered");
        await Relay.SearchAsync(tenant.TenantId, $"recipient={Uri.EscapeDataString($"success+{run}@{Simulator}")}", 1);
        var storage = Relay.Services.GetRequiredService<StorageClients>();
        var bodiesBefore = await BlobsAsync(storage, tenant.TenantId);
        Assert.NotEmpty(bodiesBefore);

        // Every message of the tenant is past a cutoff a minute from now.
        var result = await Relay.Services.GetRequiredService<RetentionSweeper>()
            .SweepAsync(tenant.TenantId, DateTimeOffset.UtcNow.AddMinutes(1).AddHours(1), null, CancellationToken.None);
        Assert.Equal((2, 1), (result.MessagesDeleted, result.MessagesKept));

        foreach (var gone in new[] { delivered, bounced })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Relay.Api.GetAsync($"/v1/messages/{gone}")).StatusCode);
        }

        Assert.Empty(await Relay.SearchIdsAsync(tenant.TenantId, $"recipient={Uri.EscapeDataString($"success+{run}@{Simulator}")}"));
        Assert.Empty(await Relay.SearchIdsAsync(tenant.TenantId, $"recipient={Uri.EscapeDataString($"bounce+{run}@{Simulator}")}"));

        // The deferred message stays, searchable, with its body; the other tenant's message is untouched.
        await Relay.WaitForStatusAsync(deferred, TimeSpan.FromSeconds(5), "deferred");
        Assert.Equal([deferred], await Relay.SearchIdsAsync(tenant.TenantId));
        await Relay.WaitForStatusAsync(neighbour, TimeSpan.FromSeconds(5), "delivered");
        Assert.Contains(neighbour, await Relay.SearchIdsAsync(other.TenantId));
        var bodiesAfter = await BlobsAsync(storage, tenant.TenantId);
        var kept = Assert.Single(bodiesAfter);
        Assert.Contains(kept, bodiesBefore);
        Assert.NotEmpty(await BlobsAsync(storage, other.TenantId));

        // A second sweep finds nothing more to delete, and keeps the deferred message again.
        var again = await Relay.Services.GetRequiredService<RetentionSweeper>()
            .SweepAsync(tenant.TenantId, DateTimeOffset.UtcNow.AddHours(2), result.BodiesFrom, CancellationToken.None);
        Assert.Equal((0, 1, 0), (again.MessagesDeleted, again.MessagesKept, again.BodiesDeleted));
    }

    [Fact]
    public async Task The_operator_sets_a_tenants_retention_and_a_sweep_by_it_keeps_what_is_younger()
    {
        var tenant = await Relay.CreateTenantAsync("Retention days");
        var id = await Relay.SubmitAsync(tenant, [$"success+{Guid.NewGuid():N}@{Simulator}"], "kept");
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");

        var before = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/retention"), HttpStatusCode.OK);
        Assert.Equal((30, true), (before.GetProperty("retentionDays").GetInt32(), before.GetProperty("isDefault").GetBoolean()));

        var patched = await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { retentionDays = 7 }), HttpStatusCode.OK);
        Assert.Equal(7, patched.GetProperty("retentionDays").GetInt32());
        var refused = await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { retentionDays = 5000 }), HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("retentionDays", out _));

        var report = await Relay.ReadAsync(await Relay.Api.PostAsync($"/v1/tenants/{tenant.TenantId}/retention/sweep", null), HttpStatusCode.OK);
        Assert.Equal(0, report.GetProperty("messagesDeleted").GetInt32());
        var cutoff = report.GetProperty("cutoff").GetDateTimeOffset();
        Assert.InRange(cutoff, DateTimeOffset.UtcNow.AddDays(-7).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(-7).AddMinutes(5));
        await Relay.GetMessageAsync(id);

        var after = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/retention"), HttpStatusCode.OK);
        Assert.Equal((7, false), (after.GetProperty("retentionDays").GetInt32(), after.GetProperty("isDefault").GetBoolean()));
        Assert.Equal(cutoff, after.GetProperty("lastSweep").GetProperty("cutoff").GetDateTimeOffset());

        // 0 returns the tenant to the default; a tenant key cannot sweep.
        var reset = await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { retentionDays = 0 }), HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reset.GetProperty("retentionDays").ValueKind);
    }

    static async Task<List<string>> BlobsAsync(StorageClients storage, string tenantId)
    {
        var names = new List<string>();
        await foreach (var blob in storage.Bodies.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{tenantId}/", CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
