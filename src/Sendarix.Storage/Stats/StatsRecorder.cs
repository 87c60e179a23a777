using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Core.Stats;

namespace Sendarix.Storage.Stats;

/// <summary>
/// Counts message events for statistics, in memory, and writes the counts every
/// <see cref="StatsOptions.FlushInterval"/> (and when the host stops): per tenant and for all tenants together, per
/// hour of the event's time and per group (<see cref="StatsGroups"/>). Each process writes rows of its own (its
/// writer id is new at every start) holding its totals, replaced at each write, so nodes never contend for a row,
/// no row is read before it is written, and a reader adds up every writer's rows. Counting costs delivery no
/// storage call; a crash loses at most the last interval's counts, and a round repeated after one counts twice.
/// </summary>
public sealed partial class StatsRecorder(StorageClients storage, IOptions<StatsOptions> options, TimeProvider time, ILogger<StatsRecorder> logger)
    : BackgroundService
{
    /// <summary>The partition of the counts over every tenant.</summary>
    public const string AllTenants = "*";

    const int MaxTransactionOperations = 100;

    readonly string _writer = Base32.Encode(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant();
    readonly ConcurrentDictionary<StatsKey, Entry> _entries = new();
    readonly ConcurrentDictionary<(string Scope, DateTimeOffset Hour, StatsGrouping Grouping), int> _groups = new();

    /// <summary>Counts message events and refusals of spam (other tenant events are left out).</summary>
    public void Count(IReadOnlyList<RelayEvent> events)
    {
        foreach (var e in events.Where(e => EventTypes.IsMessageEvent(e.Type) || e.Type == EventType.SpamRejected))
        {
            var hour = Hour(e.Time);
            var acceptedAt = e.Message is { } m && MessageId.TryParse(m.MessageId, out var id) ? MessageId.AcceptedAt(id.Local) : null;
            foreach (var (grouping, group) in StatsGroups.Of(e))
            {
                foreach (var scope in new[] { e.TenantId, AllTenants })
                {
                    // Operators see providers, IPs and totals across tenants; tags, domains and sub-tenants are each tenant's own.
                    if (scope == AllTenants && grouping is StatsGrouping.Tag or StatsGrouping.Domain or StatsGrouping.Subtenant)
                    {
                        continue;
                    }

                    var entry = _entries.GetOrAdd(Key(scope, hour, grouping, group), _ => new Entry());
                    lock (entry)
                    {
                        entry.Counts.Count(e, acceptedAt);
                        entry.Dirty = true;
                    }
                }
            }
        }
    }

    StatsKey Key(string scope, DateTimeOffset hour, StatsGrouping grouping, string group)
    {
        var key = new StatsKey(scope, hour, grouping, group);
        if (grouping == StatsGrouping.None || _entries.ContainsKey(key))
        {
            return key;
        }

        // Bounded: a tenant that sends to a hundred thousand domains keeps its busiest first ones, and the rest together.
        return _groups.AddOrUpdate((scope, hour, grouping), 1, (_, n) => n + 1) <= options.Value.MaxGroupsPerHour ? key : key with { Group = StatsGroups.Other };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    /// <summary>Writes every count that changed since the last write.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        foreach (var (key, entry) in _entries)
        {
            lock (entry)
            {
                if (entry.Dirty)
                {
                    rows.Add(StatsRows.Write(key, _writer, entry.Counts));
                    entry.Dirty = false;
                }
            }
        }

        try
        {
            await Task.WhenAll(rows.GroupBy(r => r.PartitionKey).SelectMany(p => p.Chunk(MaxTransactionOperations))
                .Select(chunk => storage.Stats.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)),
                    cancellationToken)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Written again at the next flush: the rows hold totals.
            foreach (var row in rows)
            {
                if (_entries.TryGetValue(StatsRows.KeyOf(row), out var entry))
                {
                    lock (entry)
                    {
                        entry.Dirty = true;
                    }
                }
            }

            LogFlushFailed(logger, ex, rows.Count);
        }

        // Hours long past get no more events (an event counts in the hour it happened): forget them once written.
        var horizon = Hour(time.GetUtcNow()) - TimeSpan.FromHours(2);
        foreach (var (key, entry) in _entries.Where(e => e.Key.Hour < horizon))
        {
            lock (entry)
            {
                if (!entry.Dirty)
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }

        foreach (var group in _groups.Keys.Where(g => g.Hour < horizon))
        {
            _groups.TryRemove(group, out _);
        }
    }

    static DateTimeOffset Hour(DateTimeOffset t) => new(t.UtcDateTime.Date.AddHours(t.UtcDateTime.Hour), TimeSpan.Zero);

    sealed class Entry
    {
        public StatsCounts Counts { get; } = new();

        public bool Dirty { get; set; }
    }

    [LoggerMessage(EventId = 5201, EventName = "StatsFlushFailed", Level = LogLevel.Warning,
        Message = "{Count} statistics row(s) could not be written; they are written again at the next flush")]
    static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}

/// <summary>One count's place: whose (a tenant, or <see cref="StatsRecorder.AllTenants"/>), which hour, which group.</summary>
public sealed record StatsKey(string Scope, DateTimeOffset Hour, StatsGrouping Grouping, string Group);
