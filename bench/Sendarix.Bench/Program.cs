using System.Diagnostics;
using System.Globalization;
using Sendarix.Bench;

// Two helpers for the webhook benchmark: a receiver that logs every event it is sent, and the report on that log.
if (args is ["receive", ..])
{
    return await WebhookReceiver.RunAsync(args[1..]);
}

if (args is ["idle", ..])
{
    return await IdleSessions.RunAsync(args[1..]);
}

if (args is ["webhook-report", ..])
{
    return await WebhookReport.RunAsync(args[1..]);
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.SinkLog is not null && !File.Exists(options.SinkLog))
{
    Console.Error.WriteLine($"The sink log {options.SinkLog} does not exist.");
    return 2;
}

var sink = options.SinkLog is null ? null : new SinkCounter(options.SinkLog);
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"bench: {options.Connections} connections to {options.Host}:{options.Port}, {options.MessageSize}-byte messages, warm-up {options.Warmup.TotalSeconds:0.#} s, measured {options.Duration.TotalSeconds:0.#} s, client {options.Client.ToString().ToLowerInvariant()}"));

var timeline = Timeline.From(Stopwatch.GetTimestamp(), options.Warmup, options.Duration);
var watcher = sink is null ? null : new SinkWatcher(sink, timeline, options);
var load = new LoadGenerator(options, timeline).RunAsync();
var timings = options.Metrics is { } metrics ? new RelayTimings(metrics, options.StorageProbe).MeasureAsync(timeline) : Task.FromResult("");
var watching = watcher?.WatchAsync(load);
var stats = await load;
var delivered = watching is null ? null : await watching;

Console.Error.Write(Report.Errors(stats));
Console.WriteLine(Report.ResultLine(stats, options.Duration, delivered) + await timings);
return 0;
