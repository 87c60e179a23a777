using System.Net;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Faults acted out by a server nobody here wrote: Postfix's smtp-sink with its fault options, one sink per fault, each
/// a destination of its own. Every case must end in the right event, category and action.
/// </summary>
public sealed class PostfixSinkFaultTests(PostfixSinkFaultTests.FaultySinks sinks) : IClassFixture<PostfixSinkFaultTests.FaultySinks>
{
    static readonly IPAddress Address = IPAddress.Parse("127.0.0.6");

    // Destination domain → smtp-sink's fault option.
    static readonly Dictionary<string, string[]> Faults = new()
    {
        ["hard.postfix.test"] = ["-f", "RCPT"],  // 500 5.3.0 to RCPT
        ["soft.postfix.test"] = ["-r", "RCPT"],  // 450 4.3.0 to RCPT
        ["close.postfix.test"] = ["-Q", "RCPT"], // 421 4.0.0 to RCPT, then disconnect
        ["slow.postfix.test"] = ["-w", "30"],    // 30 s before answering DATA
    };

    [Theory]
    [InlineData("hard.postfix.test", "bounced", "500 5.3.0", "uncategorized")]
    [InlineData("soft.postfix.test", "deferred", "450 4.3.0", "transient")]
    [InlineData("close.postfix.test", "deferred", "421 4.0.0", "bad_connection")]
    [InlineData("slow.postfix.test", "deferred", "4.4.2", "bad_connection")]
    public async Task Each_fault_ends_in_the_right_event_and_category(string domain, string type, string reply, string category)
    {
        var tenant = await sinks.Relay.CreateTenantAsync();
        var to = $"user-{Guid.NewGuid():N}@{domain}";
        var view = await sinks.Relay.WaitForStatusAsync(await sinks.Relay.SubmitAsync(tenant, [to], domain), TimeSpan.FromSeconds(60), type);
        var last = view.GetProperty("events").EnumerateArray().Last();
        Assert.Equal(type, last.GetProperty("type").GetString());
        Assert.StartsWith(reply, last.GetProperty("reply").GetString());
        Assert.Equal(category, last.GetProperty("bounceCategory").GetString());
        if (type == "deferred")
        {
            Assert.Equal(JsonValueKind.String, last.GetProperty("nextAttempt").ValueKind);
        }

        // None of these says anything about the address: nothing is suppressed.
        var list = await Relay.ReadAsync(await sinks.Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions"), HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    /// <summary>One relay and one smtp-sink per fault, shared by the cases.</summary>
    public sealed class FaultySinks : IAsyncLifetime
    {
        readonly List<ExternalProcess> _sinks = [];
        internal Relay Relay { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
            var route = 0;
            foreach (var (domain, fault) in Faults)
            {
                var port = Ports.Free(Address);
                _sinks.Add(new ExternalProcess("smtp-sink", ["-u", "postfix", .. fault, $"{Address}:{port}", "64"]));
                await Ports.WaitListeningAsync(Address, port, TimeSpan.FromSeconds(30));
                settings[$"Sendarix:Delivery:Routes:{route}:Domain"] = domain;
                settings[$"Sendarix:Delivery:Routes:{route}:Hosts:0"] = $"{Address}:{port}";
                route++;
            }

            // Long enough that the first attempt's event is read before a retry replaces it as the last.
            settings["Sendarix:Retry:FirstRetry"] = "00:01:00";
            settings["Sendarix:Retry:MaxRetry"] = "00:02:00";
            Relay = await Relay.StartAsync(settings);
        }

        public async Task DisposeAsync()
        {
            await Relay.DisposeAsync();
            _sinks.ForEach(s => s.Dispose());
        }
    }
}
