using System.Net;
using Azure.Data.Tables;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>A relay with search turned off writes no search rows, says so on the search endpoints, and still finds a message by its id.</summary>
public sealed class SearchOffTests : IAsyncLifetime
{
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Search:Enabled"] = "false";
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task Search_answers_501_no_search_rows_are_written_and_a_message_is_found_by_its_id()
    {
        var tenant = await _relay.CreateTenantAsync("Search off");
        var id = await _relay.SubmitAsync(tenant, ["success@simulator.invalid"], "search off");
        await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");

        var off = await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/messages?recipient=success%40simulator.invalid"),
            HttpStatusCode.NotImplemented);
        Assert.Equal("Search is off", off.GetProperty("title").GetString());
        await Relay.ReadAsync(await _relay.Api.GetAsync("/v1/messages?tag=x"), HttpStatusCode.NotImplemented);

        var summaries = new TableClient((await AzuriteServer.Shared).ConnectionString, $"{_relay.Settings["Sendarix:Storage:Prefix"]}SearchSummaries");
        var rows = 0;
        try
        {
            await foreach (var _ in summaries.QueryAsync<TableEntity>(maxPerPage: 10))
            {
                rows++;
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }

        Assert.Equal(0, rows);
    }
}
