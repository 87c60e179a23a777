using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Sendarix.Core.Search;
using Sendarix.Core.Stats;

namespace Sendarix.Storage.Stats;

/// <summary>
/// A writer's counts for one hour and group: partition = the tenant (or "*"), row =
/// "{grouping}|{yyyyMMddHH}|{group}|{writer}", so one grouping's hours are one key range. The group is escaped as
/// search keys are (no characters a key refuses, no '|').
/// </summary>
internal static class StatsRows
{
    const string HourFormat = "yyyyMMddHH";

    public static TableEntity Write(StatsKey key, string writer, StatsCounts c) => new(key.Scope, $"{Prefix(key.Grouping, key.Hour)}{SearchKeys.Encode(key.Group)}|{writer}")
    {
        ["Hour"] = key.Hour,
        ["Group"] = key.Group,
        ["Accepted"] = c.Accepted,
        ["Delivered"] = c.Delivered,
        ["Deferred"] = c.Deferred,
        ["Bounced"] = c.Bounced,
        ["Expired"] = c.Expired,
        ["Failed"] = c.Failed,
        ["Suppressed"] = c.Suppressed,
        ["Complained"] = c.Complained,
        ["Held"] = c.Held,
        ["SpamRejected"] = c.SpamRejected,
        ["BouncesByCategory"] = c.BouncesByCategory.Count > 0 ? JsonSerializer.Serialize(c.BouncesByCategory, StorageJson.Default.DictionaryStringInt64) : null,
        ["DeferralsByCategory"] = c.DeferralsByCategory.Count > 0 ? JsonSerializer.Serialize(c.DeferralsByCategory, StorageJson.Default.DictionaryStringInt64) : null,
        ["DeliveryTime"] = c.DeliveryTime.Count > 0 ? c.DeliveryTime.ToString() : null,
    };

    public static StatsKey KeyOf(TableEntity row) =>
        new(row.PartitionKey, row.GetDateTimeOffset("Hour") ?? default, Enum.Parse<StatsGrouping>(row.RowKey[..row.RowKey.IndexOf('|')]), row.GetString("Group") ?? "");

    static void ReadCategories(string? json, Dictionary<string, long> into)
    {
        foreach (var (category, count) in json is null ? [] : JsonSerializer.Deserialize(json, StorageJson.Default.DictionaryStringInt64) ?? [])
        {
            into[category] = count;
        }
    }

    public static StatsCounts Read(TableEntity row)
    {
        var c = new StatsCounts
        {
            Accepted = row.GetInt64("Accepted") ?? 0,
            Delivered = row.GetInt64("Delivered") ?? 0,
            Deferred = row.GetInt64("Deferred") ?? 0,
            Bounced = row.GetInt64("Bounced") ?? 0,
            Expired = row.GetInt64("Expired") ?? 0,
            Failed = row.GetInt64("Failed") ?? 0,
            Suppressed = row.GetInt64("Suppressed") ?? 0,
            Complained = row.GetInt64("Complained") ?? 0,
            Held = row.GetInt64("Held") ?? 0,
            SpamRejected = row.GetInt64("SpamRejected") ?? 0,
        };
        ReadCategories(row.GetString("BouncesByCategory"), c.BouncesByCategory);
        ReadCategories(row.GetString("DeferralsByCategory"), c.DeferralsByCategory);

        c.DeliveryTime.Add(LatencyHistogram.Parse(row.GetString("DeliveryTime")));
        return c;
    }

    /// <summary>The start of a grouping's rows for an hour: hours sort in time order after it.</summary>
    public static string Prefix(StatsGrouping grouping, DateTimeOffset hour) =>
        string.Create(CultureInfo.InvariantCulture, $"{grouping}|{hour.UtcDateTime.ToString(HourFormat, CultureInfo.InvariantCulture)}|");
}
