using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Core.Search;

namespace Sendarix.Storage.Search;

/// <summary>
/// The summary row of a message ("{local}" in the tenant's partition of the summaries table): what its events carry
/// about it, and one property per recipient ("R000"...) holding that recipient's standing. Every recording merges
/// only the recipients it changed, so rounds for different domains of one message never overwrite each other.
/// Flags ("Has{Status}", "Category_{name}") are set once a recipient reaches a status, so a scan can let storage
/// skip messages that never did; the standing itself decides whether one still does.
/// </summary>
internal static class SummaryRows
{
    public const string SubjectKeyProperty = "SubjectKey";

    // A subject key long enough for any prefix worth typing, short enough to keep the row small.
    const int SubjectKeyLength = 200;

    public static string RecipientProperty(int index) => string.Create(CultureInfo.InvariantCulture, $"R{index:D3}");

    public static string StatusFlag(EventType type) => $"Has{type}";

    public static string CategoryFlag(string category) => $"Category_{category}";

    /// <summary>The lower-case start of a subject, as prefixes are compared.</summary>
    public static string SubjectKey(string subject) => subject.Trim().ToLowerInvariant() is var s && s.Length > SubjectKeyLength ? s[..SubjectKeyLength] : s;

    /// <summary>The merge a group of one message's events makes: its context, and the last standing of each recipient in it.</summary>
    public static TableEntity Merge(string tenantId, string local, IReadOnlyList<RelayEvent> events)
    {
        var context = events[0].Message!;
        var row = new TableEntity(tenantId, local)
        {
            ["From"] = context.From,
            ["Subtenant"] = events[0].Subtenant,
            ["MessageIdHeader"] = context.MessageIdHeader,
            ["Subject"] = context.Subject,
            [SubjectKeyProperty] = context.Subject is { } subject ? SubjectKey(subject) : null,
            ["Tags"] = context.Tags.Count > 0 ? JsonSerializer.Serialize(context.Tags, StorageJson.Relaxed.IReadOnlyListString) : null,
            ["Metadata"] = context.Metadata.Count > 0 ? JsonSerializer.Serialize(context.Metadata, StorageJson.Relaxed.IReadOnlyDictionaryStringString) : null,
        };
        if (events.FirstOrDefault(e => e.Type == EventType.Accepted) is { } accepted)
        {
            row["AcceptedAt"] = accepted.Time;
        }

        foreach (var last in events.GroupBy(e => e.RecipientIndex).Select(r => r.MaxBy(e => (e.Sequence, e.Time))!))
        {
            var standing = RecipientStanding.Of(last);
            row[RecipientProperty(last.RecipientIndex)] = JsonSerializer.Serialize(new StoredStanding(standing.Address, standing.Status.ToString(), standing.Sequence,
                standing.UpdatedAt, standing.Attempts, standing.Reply, standing.BounceCategory, standing.NextAttempt), StorageJson.Relaxed.StoredStanding);
        }

        foreach (var e in events)
        {
            row[StatusFlag(e.Type)] = true;
            if (e.BounceCategory is { } category)
            {
                row[CategoryFlag(category)] = true;
            }
        }

        return row;
    }

    /// <summary>Two merges of one row in a write, as one: a transaction may touch a row only once.</summary>
    public static TableEntity Combine(TableEntity earlier, TableEntity later)
    {
        foreach (var (key, value) in later)
        {
            if (key.Length == 4 && key[0] == 'R' && earlier.TryGetValue(key, out var had) && had is string before && value is string after
                && Read(before).Sequence > Read(after).Sequence)
            {
                continue;
            }

            if (value is not null || !earlier.ContainsKey(key))
            {
                earlier[key] = value;
            }
        }

        return earlier;
    }

    public static MessageSummary Read(TableEntity row)
    {
        var id = new MessageId(row.PartitionKey, row.RowKey);
        var recipients = row.Keys.Where(k => k.Length == 4 && k[0] == 'R' && char.IsAsciiDigit(k[1]))
            .Select(k => (Index: int.Parse(k.AsSpan(1), CultureInfo.InvariantCulture), Stored: Read((string)row[k])))
            .Where(r => Enum.TryParse<EventType>(r.Stored.Status, out _))
            .OrderBy(r => r.Index)
            .Select(r => new RecipientStanding(r.Index, r.Stored.Address, Enum.Parse<EventType>(r.Stored.Status), r.Stored.Sequence, r.Stored.UpdatedAt,
                r.Stored.Attempts, r.Stored.Reply, r.Stored.BounceCategory, r.Stored.NextAttempt))
            .ToList();
        return new MessageSummary(id.ToString(), id.TenantId, row.GetString("Subtenant"), row.GetDateTimeOffset("AcceptedAt") ?? default, row.GetString("From") ?? "",
            row.GetString("MessageIdHeader"), row.GetString("Subject"),
            row.GetString("Tags") is { } tags ? JsonSerializer.Deserialize(tags, StorageJson.Default.IReadOnlyListString) ?? [] : [],
            row.GetString("Metadata") is { } metadata
                ? JsonSerializer.Deserialize(metadata, StorageJson.Default.IReadOnlyDictionaryStringString) ?? ReadOnlyDictionary<string, string>.Empty
                : ReadOnlyDictionary<string, string>.Empty,
            recipients);
    }

    static StoredStanding Read(string json) => JsonSerializer.Deserialize(json, StorageJson.Default.StoredStanding)!;
}

/// <summary>A recipient's standing as its summary property holds it; the status by <see cref="EventType"/> member name.</summary>
internal sealed record StoredStanding(string Address, string Status, int Sequence, DateTimeOffset UpdatedAt, int Attempts, string? Reply, string? BounceCategory,
    DateTimeOffset? NextAttempt);
