using Azure.Storage.Queues;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>A delivery queue message that is not work (damaged, or put there by something else) is moved aside, once.</summary>
[Collection(RelayCollection.Name)]
public sealed class ParkedWorkTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task A_queue_message_that_is_not_work_is_parked_and_the_work_after_it_is_delivered()
    {
        var connection = Relay.Settings["Sendarix:Storage:ConnectionString"];
        var prefix = Relay.Settings["Sendarix:Storage:Prefix"];
        var delivery = new QueueClient(connection, $"{prefix}-delivery");
        var parked = new QueueClient(connection, $"{prefix}-delivery-parked");
        var damaged = $"{{\"not\": \"work {Guid.NewGuid():N}\"";
        await delivery.SendMessageAsync(damaged);

        var tenant = await Relay.CreateTenantAsync();
        var id = await Relay.SubmitAsync(tenant, [$"after-damaged-{Guid.NewGuid():N}@sink.test"], "After a damaged queue message");
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");

        // Parked once: left in the delivery queue it would be taken again at every visibility timeout.
        var kept = await Eventually.GetAsync(async () => (await parked.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList(),
            bodies => bodies.Contains(damaged), TimeSpan.FromSeconds(30), "the damaged message in the parked queue");
        Assert.Single(kept, damaged);
    }
}
