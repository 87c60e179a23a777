using System.ComponentModel.DataAnnotations;

namespace Sendarix.Storage.Search;

/// <summary>How message search is kept. Section "Sendarix:Search".</summary>
public sealed class SearchOptions
{
    public const string Section = "Sendarix:Search";

    /// <summary>
    /// Index writes are shared by every delivery round that records within this long of the last write: under load,
    /// a handful of table transactions per interval instead of several per round.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan WriteInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
