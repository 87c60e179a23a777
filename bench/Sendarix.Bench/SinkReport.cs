namespace Sendarix.Bench;

/// <summary>
/// Deliveries into the sink. <see cref="Delivered"/> over <see cref="Seconds"/> is the end-to-end rate: from the
/// window's start to the last delivery seen while draining. Counts at close include messages still in flight.
/// </summary>
internal sealed record SinkReport(
    long WindowDelivered,
    double WindowSeconds,
    long Delivered,
    double Seconds,
    double DrainSeconds,
    long BacklogAtClose,
    long Undelivered)
{
    public double Rate => Seconds > 0 ? Delivered / Seconds : 0;

    public double WindowRate => WindowSeconds > 0 ? WindowDelivered / WindowSeconds : 0;
}
