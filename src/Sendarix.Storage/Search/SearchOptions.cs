using System.ComponentModel.DataAnnotations;

namespace Sendarix.Storage.Search;

/// <summary>How message search is kept. Section "Sendarix:Search".</summary>
public sealed class SearchOptions
{
    public const string Section = "Sendarix:Search";

    /// <summary>
    /// Whether message search is kept: off, no summaries or index rows are written (and the search endpoints say so),
    /// for a relay whose events are searched elsewhere, or to measure what the index costs.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Index writes are shared by every delivery round that records within this long of the last write: under load,
    /// a handful of table transactions per interval instead of several per round.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan WriteInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
