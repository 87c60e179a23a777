using System.Globalization;

namespace Sendarix.Bench;

/// <summary>What one run measures: where to send, with how many connections, for how long, and where to count deliveries.</summary>
internal sealed record BenchOptions(
    string Host,
    int Port,
    string Username,
    string Password,
    int Connections,
    TimeSpan Warmup,
    TimeSpan Duration,
    int MessageSize,
    string? SinkLog,
    TimeSpan DrainMax,
    TimeSpan DrainIdle,
    string? IdsOut = null,
    BenchClient Client = BenchClient.Light,
    Uri? Metrics = null,
    Uri? StorageProbe = null)
{
    public const string Usage =
        "usage: Sendarix.Bench HOST PORT USERNAME PASSWORD CONNECTIONS WARMUP_S DURATION_S [MESSAGE_BYTES=2048]\n" +
        "                      (the seven required arguments first, taken as they are: a password may begin with --)\n" +
        "                      [--sink-log PATH] [--drain-max S=60] [--drain-idle S=5] [--ids-out PATH]\n" +
        "                      [--client light|build] [--metrics URL] [--storage-probe URL]\n" +
        "  --sink-log    output of Postfix's `smtp-sink -c` behind the server: also measure the rate delivered into it\n" +
        "  --drain-max   after the measured window, wait at most this long for accepted messages to reach the sink\n" +
        "  --drain-idle  stop waiting earlier when the sink count has not moved for this long\n" +
        "  --ids-out     append the id of every message the server accepted (from its 'queued as' reply) to this file\n" +
        "  --client      light (default): each connection sends one prepared message, a new Message-Id each time;\n" +
        "                build: a new MimeMessage for every message (text and HTML alternatives), as application code does\n" +
        "  --metrics     the server's Prometheus endpoint: read at the start and end of the measured window, and the\n" +
        "                relay's own timings (acceptance wait, commit, storage calls) added to the result line\n" +
        "  --storage-probe  a storage URL asked every 100 ms through the measured window: how long storage keeps a caller waiting";

    public static BenchOptions Parse(string[] args)
    {
        var positional = new List<string>();
        string? sinkLog = null, idsOut = null;
        var client = BenchClient.Light;
        Uri? metrics = null, probe = null;
        double drainMax = 60, drainIdle = 5;
        for (var i = 0; i < args.Length; i++)
        {
            // The seven required arguments come first and are taken as they are: a password may begin with "--".
            if (positional.Count < 7)
            {
                positional.Add(args[i]);
                continue;
            }

            switch (args[i])
            {
                case "--sink-log":
                    sinkLog = Value(args, ref i);
                    break;
                case "--ids-out":
                    idsOut = Value(args, ref i);
                    break;
                case "--client":
                    client = Value(args, ref i) switch
                    {
                        "light" => BenchClient.Light,
                        "build" => BenchClient.Build,
                        var other => throw new ArgumentException($"--client is light or build, not '{other}'."),
                    };
                    break;
                case "--metrics":
                    metrics = Uri.TryCreate(Value(args, ref i), UriKind.Absolute, out var url) ? url : throw new ArgumentException("--metrics needs an absolute URL.");
                    break;
                case "--storage-probe":
                    probe = Uri.TryCreate(Value(args, ref i), UriKind.Absolute, out var probeUrl) ? probeUrl : throw new ArgumentException("--storage-probe needs an absolute URL.");
                    break;
                case "--drain-max":
                    drainMax = Seconds(Value(args, ref i), "--drain-max");
                    break;
                case "--drain-idle":
                    drainIdle = Seconds(Value(args, ref i), "--drain-idle");
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"Unknown option {args[i]}.");
                    }

                    positional.Add(args[i]);
                    break;
            }
        }

        if (positional.Count is < 7 or > 8)
        {
            throw new ArgumentException("Expected 7 or 8 positional arguments.");
        }

        var port = Integer(positional[1], "PORT", 1, 65535);
        var connections = Integer(positional[4], "CONNECTIONS", 1, 10000);
        var warmup = Seconds(positional[5], "WARMUP_S");
        var duration = Seconds(positional[6], "DURATION_S");
        if (duration <= 0)
        {
            throw new ArgumentException("DURATION_S must be more than 0.");
        }

        var size = positional.Count > 7 ? Integer(positional[7], "MESSAGE_BYTES", 512, 50 * 1024 * 1024) : 2048;
        return new BenchOptions(positional[0], port, positional[2], positional[3], connections,
            TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(duration), size, sinkLog,
            TimeSpan.FromSeconds(drainMax), TimeSpan.FromSeconds(drainIdle), idsOut, client, metrics, probe);
    }

    static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");

    static int Integer(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name} must be an integer from {min} to {max}, not '{text}'.");

    static double Seconds(string text, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 && s <= 86400
            ? s
            : throw new ArgumentException($"{name} must be a number of seconds, not '{text}'.");
}

/// <summary>How the load generator makes its messages.</summary>
internal enum BenchClient
{
    /// <summary>One prepared message per connection, sent again with a new Message-Id: the least client CPU.</summary>
    Light,

    /// <summary>A new MimeMessage for every message, built as application code builds one.</summary>
    Build,
}
