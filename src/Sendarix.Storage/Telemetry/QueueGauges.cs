using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sendarix.Core.Telemetry;

namespace Sendarix.Storage.Telemetry;

/// <summary>
/// The delivery queue's depth and the age of its oldest waiting message, as observable gauges. Storage is asked every
/// <see cref="Interval"/> in the background and the gauges report the last answer: an exporter's collection never
/// waits on storage. Messages held by a worker (invisible) are not waiting and not counted in the age.
/// </summary>
public sealed partial class QueueGauges : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    readonly StorageClients _storage;
    readonly TimeProvider _time;
    readonly ILogger<QueueGauges> _logger;
    long _depth = -1;
    double _oldestAge;

    public QueueGauges(StorageClients storage, RelayMetrics metrics, TimeProvider time, ILogger<QueueGauges> logger)
    {
        (_storage, _time, _logger) = (storage, time, logger);
        metrics.Meter.CreateObservableGauge<long>(MetricNames.QueueDepth, () => Interlocked.Read(ref _depth) is var d and >= 0 ? [new Measurement<long>(d)] : [],
            "{message}", "Delivery work messages in the queue (visible or held)");
        metrics.Meter.CreateObservableGauge(MetricNames.QueueOldestAge, () => Volatile.Read(ref _oldestAge), "s", "Age of the oldest waiting work message");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                var properties = await _storage.Delivery.GetPropertiesAsync(stoppingToken);
                var oldest = (await _storage.Delivery.PeekMessagesAsync(1, stoppingToken)).Value.FirstOrDefault();
                Interlocked.Exchange(ref _depth, properties.Value.ApproximateMessagesCount);
                Volatile.Write(ref _oldestAge, oldest?.InsertedOn is { } inserted ? Math.Max(0, (_time.GetUtcNow() - inserted).TotalSeconds) : 0);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogUnavailable(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 4106, EventName = "QueueGaugesUnavailable", Level = LogLevel.Debug, Message = "The delivery queue's depth could not be read")]
    static partial void LogUnavailable(ILogger logger, Exception exception);
}
