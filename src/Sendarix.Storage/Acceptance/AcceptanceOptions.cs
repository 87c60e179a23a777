using System.ComponentModel.DataAnnotations;

namespace Sendarix.Storage.Acceptance;

/// <summary>Group commit of accepted messages. Section "Sendarix:Acceptance".</summary>
public sealed class AcceptanceOptions : IValidatableObject
{
    public const string Section = "Sendarix:Acceptance";

    /// <summary>Most messages made durable by one batch of storage writes.</summary>
    [Range(1, 500)]
    public int MaxBatchMessages { get; set; } = 64;

    /// <summary>Most body bytes in one batch blob; a larger message forms a batch of its own.</summary>
    [Range(65536, 256L * 1024 * 1024)]
    public long MaxBatchBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// How many batches may be written at once. A second batch in flight hides the wait for storage's answer (most of
    /// a small batch's time is the body upload's round trip) when the load is light; see <see cref="SoloBatchMessages"/>.
    /// </summary>
    [Range(1, 8)]
    public int MaxCommitsInFlight { get; set; } = 2;

    /// <summary>
    /// A batch of at least this many messages is written alone: under that much load, batches written one at a time
    /// stay large, and large batches cost storage the least per message.
    /// </summary>
    [Range(1, 500)]
    public int SoloBatchMessages { get; set; } = 16;

    /// <summary>How long a batch that is not full waits for company. Adds at most this much latency when idle.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// How long one batch may take to store before its senders get 451. When storage is down this is how long a
    /// client waits for its answer, and the next batch is not held up behind storage retries.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a batch's work stays invisible in the queue unless the batch is confirmed (its senders got 250),
    /// which shows it at once. Work still hidden this long may belong to a batch whose senders got 451 while its
    /// writes were still landing; before it is delivered its message rows are checked, and a refused batch's rows are
    /// removed within this time. Front-ends and silos must use the same value. Also the delay of work whose
    /// front-end stopped between the 250 and the release.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
    public TimeSpan UnconfirmedHold { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UnconfirmedHold < 2 * CommitTimeout)
        {
            yield return new ValidationResult("Sendarix:Acceptance: UnconfirmedHold must be at least twice CommitTimeout, so a refused batch's rows are removed before its work shows.");
        }
    }
}
