using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Core.Search;
using Sendarix.Storage.Messages;

namespace Sendarix.Storage.Search;

/// <summary>
/// Keeps message search up to date from message events, written by <c>EventRecorder</c> only. A message's summary
/// row is merged with every event; its index rows (one per sender, Message-ID, recipient, recipient domain, tag and
/// metadata pair, in one table per field) are written with its accepted events, which are recorded in the round
/// that first takes the message, so index rows are only added, never changed. Writes are group-committed
/// (<see cref="SearchOptions.WriteInterval"/>): per write, one transaction per table, tenant and 100 rows.
/// </summary>
public sealed class SearchIndex
{
    const int MaxTransactionOperations = 100;

    readonly StorageClients _storage;
    readonly GroupWriter<RelayEvent> _writer;

    public SearchIndex(StorageClients storage, IOptions<SearchOptions> options, TimeProvider time)
    {
        _storage = storage;
        _writer = new GroupWriter<RelayEvent>(WriteAsync, options.Value.WriteInterval, time);
    }

    /// <summary>Indexes message events; returns once they are searchable.</summary>
    public Task AddAsync(IReadOnlyList<RelayEvent> messageEvents, CancellationToken cancellationToken) =>
        messageEvents.Count == 0 ? Task.CompletedTask : _writer.AddAsync(messageEvents, cancellationToken);

    Task WriteAsync(IReadOnlyList<RelayEvent> events)
    {
        var writes = new List<(TableClient Table, TableEntity Row, TableTransactionActionType Action)>();
        foreach (var message in events.GroupBy(e => e.Message!.MessageId))
        {
            var id = MessageId.Parse(message.Key);
            var all = message.ToList();
            writes.Add((_storage.SearchSummaries, SummaryRows.Merge(id.TenantId, id.Local, all), TableTransactionActionType.UpsertMerge));
            var accepted = all.Where(e => e.Type == EventType.Accepted).ToList();
            if (accepted.Count > 0)
            {
                foreach (var (field, key) in SearchKeys.Of(accepted[0].Message!, accepted.Select(e => e.Recipient ?? "")))
                {
                    writes.Add((_storage.SearchIndex(field), new TableEntity(id.TenantId, IndexRowKey(key, id.Local)), TableTransactionActionType.UpsertReplace));
                }
            }
        }

        // A transaction may touch a row once: merges of one summary from different callers become one.
        var summaries = writes.Where(w => w.Table == _storage.SearchSummaries)
            .GroupBy(w => (w.Row.PartitionKey, w.Row.RowKey))
            .Select(g => g.Skip(1).Aggregate(g.First(), (a, b) => a with { Row = SummaryRows.Combine(a.Row, b.Row) }));
        var rows = writes.Where(w => w.Table != _storage.SearchSummaries).DistinctBy(w => (w.Table.Name, w.Row.PartitionKey, w.Row.RowKey)).Concat(summaries);
        return Task.WhenAll(rows.GroupBy(w => (w.Table, w.Row.PartitionKey))
            .SelectMany(g => g.Chunk(MaxTransactionOperations))
            .Select(chunk => chunk[0].Table.SubmitTransactionAsync(chunk.Select(w => new TableTransactionAction(w.Action, w.Row)), CancellationToken.None)));
    }

    /// <summary>Deletes messages' summaries and index rows (the retention sweep): the keys are those their acceptance wrote.</summary>
    public async Task RemoveAsync(IReadOnlyList<LedgerMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var field in messages.SelectMany(m => SearchKeys.Of(m.Context, m.Recipients).Select(k => (k.Field, Row: (m.Id.TenantId, IndexRowKey(k.Key, m.Id.Local)))))
            .GroupBy(k => k.Field))
        {
            await TableDeletes.DeleteAsync(_storage.SearchIndex(field.Key), field.Select(k => k.Row), cancellationToken);
        }

        await TableDeletes.DeleteAsync(_storage.SearchSummaries, messages.Select(m => (m.Id.TenantId, m.Id.Local)), cancellationToken);
    }

    /// <summary>"{key}|{local}": a value's messages newest first, as the message ids sort.</summary>
    public static string IndexRowKey(string key, string local) => $"{key}|{local}";
}
