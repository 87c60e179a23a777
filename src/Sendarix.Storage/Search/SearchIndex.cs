using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Core.Search;
using Sendarix.Storage.Messages;

namespace Sendarix.Storage.Search;

/// <summary>
/// Keeps message search up to date from message events, written by <c>EventRecorder</c> only. A message's summary
/// row is merged with every event; its index rows (one per Message-ID, recipient, tag and metadata pair, in one table
/// per field) are written with its accepted events, which are recorded in the round that first takes the message, so
/// index rows are only added, never changed. Writes are group-committed
/// (<see cref="SearchOptions.WriteInterval"/>): per write, one transaction per table, tenant and 100 rows.
/// </summary>
public sealed class SearchIndex
{
    const int MaxTransactionOperations = 100;

    readonly StorageClients _storage;
    readonly GroupWriter<RelayEvent> _writer;
    readonly bool _enabled;

    public SearchIndex(StorageClients storage, IOptions<SearchOptions> options, TimeProvider time)
    {
        _storage = storage;
        _enabled = options.Value.Enabled;
        _writer = new GroupWriter<RelayEvent>(WriteAsync, options.Value.WriteInterval, time);
    }

    /// <summary>Indexes message events; returns once they are searchable.</summary>
    public Task AddAsync(IReadOnlyList<RelayEvent> messageEvents, CancellationToken cancellationToken) =>
        messageEvents.Count == 0 || !_enabled ? Task.CompletedTask : _writer.AddAsync(messageEvents, cancellationToken);

    Task WriteAsync(IReadOnlyList<RelayEvent> events)
    {
        var writes = new List<Write>();
        foreach (var message in events.GroupBy(e => e.Message!.MessageId))
        {
            var id = MessageId.Parse(message.Key);
            var all = message.ToList();
            var accepted = all.Where(e => e.Type == EventType.Accepted).ToList();

            // A message's accepted events come in the round that first takes it, so its rows are new then: added, which
            // costs storage one lookup less than an upsert (Azurite looks a row up twice for one).
            var first = accepted.Count > 0;
            writes.Add(new Write(_storage.SearchSummaries, SummaryRows.Merge(id.TenantId, id.Local, all), first, TableTransactionActionType.UpsertMerge));
            if (first)
            {
                foreach (var (field, key) in SearchKeys.Of(accepted[0].Message!, accepted.Select(e => e.Recipient ?? "")))
                {
                    writes.Add(new Write(_storage.SearchIndex(field), new TableEntity(id.TenantId, IndexRowKey(key, id.Local)), true, TableTransactionActionType.UpsertReplace));
                }
            }
        }

        // A transaction may touch a row once: merges of one summary from different callers become one.
        var summaries = writes.Where(w => w.Table == _storage.SearchSummaries)
            .GroupBy(w => (w.Row.PartitionKey, w.Row.RowKey))
            .Select(g => g.Skip(1).Aggregate(g.First(), (a, b) => a with { Row = SummaryRows.Combine(a.Row, b.Row), New = a.New || b.New }));
        var rows = writes.Where(w => w.Table != _storage.SearchSummaries).DistinctBy(w => (w.Table.Name, w.Row.PartitionKey, w.Row.RowKey)).Concat(summaries);
        return Task.WhenAll(rows.GroupBy(w => (w.Table, w.Row.PartitionKey))
            .SelectMany(g => g.Chunk(MaxTransactionOperations))
            .Select(SubmitAsync));
    }

    static async Task SubmitAsync(Write[] chunk)
    {
        try
        {
            await chunk[0].Table.SubmitTransactionAsync(chunk.Select(w => new TableTransactionAction(w.New ? TableTransactionActionType.Add : w.Upsert, w.Row)),
                CancellationToken.None);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409 && chunk.Any(w => w.New))
        {
            // A round repeated after a crash finds its rows written: write them again, as upserts.
            await chunk[0].Table.SubmitTransactionAsync(chunk.Select(w => new TableTransactionAction(w.Upsert, w.Row)), CancellationToken.None);
        }
    }

    /// <summary>A row to write: added when new, else (or when it turns out to exist already) written with its upsert.</summary>
    sealed record Write(TableClient Table, TableEntity Row, bool New, TableTransactionActionType Upsert);

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
