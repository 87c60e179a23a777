using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Storage;
using Sendarix.Storage.Messages;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// The ledger on Azurite: a recipient's events recorded together share one row, a round recorded again replaces that
/// row (no event is read twice), rows of one event each (as an earlier version wrote them) read the same, and the
/// retention delete removes every row a message was read from.
/// </summary>
public sealed class LedgerRowsTests : IAsyncLifetime
{
    StorageClients _storage = null!;
    MessageLedger _ledger = null!;

    public async Task InitializeAsync()
    {
        var options = new StorageOptions
        {
            ConnectionString = (await AzuriteServer.Shared).ConnectionString,
            Prefix = "l" + Guid.NewGuid().ToString("N")[..10],
        };
        _storage = new StorageClients(Options.Create(options));
        await _storage.Messages.CreateIfNotExistsAsync();
        _ledger = new MessageLedger(_storage);
    }

    public async Task DisposeAsync() => await _storage.Messages.DeleteAsync();

    [Fact]
    public async Task A_round_s_events_share_a_row_and_recording_it_again_replaces_the_row()
    {
        var (id, message) = await AcceptAsync(["a@one.test", "b@two.test"]);
        var round = new[]
        {
            Event(id, message, 0, 0, EventType.Accepted), Event(id, message, 0, 1, EventType.Delivered),
            Event(id, message, 1, 0, EventType.Accepted), Event(id, message, 1, 1, EventType.Deferred),
        };

        await _ledger.AppendAsync(round, CancellationToken.None);
        await _ledger.AppendAsync(round, CancellationToken.None);

        // The message row and one row per recipient, however often the round was recorded.
        Assert.Equal(3, await RowCountAsync(id));
        var read = await _ledger.GetAsync(id, CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(4, read.Events.Count);
        Assert.Equal(round.Select(e => e.Id).Order(), read.Events.Select(e => e.Id).Order());
        var deferred = Assert.Single(read.Events, e => e.Type == EventType.Deferred);
        Assert.Equal("451 4.7.1 try later", deferred.Reply);
        Assert.Equal("b@two.test", deferred.Recipient);
        Assert.Equal([EventType.Delivered, EventType.Deferred], RecipientHistory.Latest(read.Events).OrderBy(r => r.Key).Select(r => r.Value.Type));

        // The next round's event is a row of its own, behind the others.
        await _ledger.AppendAsync([Event(id, message, 1, 2, EventType.Delivered)], CancellationToken.None);
        Assert.Equal(4, await RowCountAsync(id));
        read = await _ledger.GetAsync(id, CancellationToken.None);
        Assert.All(RecipientHistory.Latest(read!.Events).Values, e => Assert.Equal(EventType.Delivered, e.Type));

        await _ledger.DeleteAsync([read], CancellationToken.None);
        Assert.Equal(0, await RowCountAsync(id));
    }

    [Fact]
    public async Task Rows_of_one_event_each_beside_a_shared_row_read_as_one_history()
    {
        var (id, message) = await AcceptAsync(["a@one.test"]);
        var accepted = Event(id, message, 0, 0, EventType.Accepted);
        var delivered = Event(id, message, 0, 1, EventType.Delivered);

        // As an earlier version wrote them: one row per event. Then the same round recorded again, grouped.
        await _ledger.AppendAsync([accepted], CancellationToken.None);
        await _ledger.AppendAsync([delivered], CancellationToken.None);
        await _ledger.AppendAsync([accepted, delivered], CancellationToken.None);

        var read = await _ledger.GetAsync(id, CancellationToken.None);
        Assert.Equal([accepted.Id, delivered.Id], read!.Events.Select(e => e.Id));
        await _ledger.DeleteAsync([read], CancellationToken.None);
        Assert.Equal(0, await RowCountAsync(id));
    }

    async Task<(MessageId Id, EventMessage Context)> AcceptAsync(string[] recipients)
    {
        var id = MessageId.New("tledger", DateTimeOffset.UtcNow);
        var accepted = new AcceptedMessage(id, "sender@ledger.test", recipients, "Subject: x\r\n\r\nbody\r\n"u8.ToArray(), DateTimeOffset.UtcNow, "127.0.0.1");
        await _ledger.WriteAcceptedAsync([(accepted, new BodyRef("blob", 0, accepted.Body.Length))], CancellationToken.None);
        return (id, new EventMessage(id.ToString(), accepted.From, null, null, [], new Dictionary<string, string>()));
    }

    static RelayEvent Event(MessageId id, EventMessage message, int recipient, int sequence, EventType type) => new()
    {
        Id = EventIds.ForRecipient(id.ToString(), recipient, sequence, type),
        Type = type,
        Time = DateTimeOffset.UtcNow.AddMilliseconds(sequence),
        TenantId = id.TenantId,
        Message = message,
        RecipientIndex = recipient,
        Sequence = sequence,
        Recipient = recipient == 0 ? "a@one.test" : "b@two.test",
        Attempt = sequence,
        Reply = type == EventType.Deferred ? "451 4.7.1 try later" : "250 2.0.0 ok",
    };

    async Task<int> RowCountAsync(MessageId id)
    {
        var count = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id.TenantId} and RowKey ge {id.Local} and RowKey lt {id.Local + "}"}");
        await foreach (var _ in _storage.Messages.QueryAsync<TableEntity>(filter, select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }
}
