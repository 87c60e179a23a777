using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Sendarix.Bench;

/// <summary>
/// Opens the connections and keeps each one sending, one message at a time: STARTTLS, AUTH once, then MAIL..DATA in
/// a loop. Each SendAsync (MAIL FROM to the reply at the end of DATA) is timed. A failed send or connect is counted
/// and the connection is replaced, so an error shows in the counts rather than stopping the load.
/// </summary>
internal sealed partial class LoadGenerator(BenchOptions options, Timeline timeline)
{
    readonly System.Collections.Concurrent.ConcurrentQueue<string> _accepted = new();

    // A connection that cannot be opened is retried after this pause, so a refusing server is not spun against.
    static readonly TimeSpan ReconnectPause = TimeSpan.FromMilliseconds(100);

    public async Task<IReadOnlyList<WorkerStats>> RunAsync()
    {
        // Nothing should take this long; it only keeps a hung server from hanging the benchmark.
        using var abort = new CancellationTokenSource(options.Warmup + options.Duration + TimeSpan.FromSeconds(60));
        var workers = Enumerable.Range(0, options.Connections).Select(i => Task.Run(() => RunConnectionAsync(i, abort.Token))).ToList();
        var stats = await Task.WhenAll(workers);
        if (options.IdsOut is { } path)
        {
            await File.AppendAllLinesAsync(path, _accepted, CancellationToken.None);
        }

        return stats;
    }

    async Task<WorkerStats> RunConnectionAsync(int index, CancellationToken abort)
    {
        var stats = new WorkerStats();
        var message = BenchMessage.Create(options.MessageSize, index);
        var sent = 0;
        SmtpClient? client = null;
        try
        {
            while (Stopwatch.GetTimestamp() < timeline.End && !abort.IsCancellationRequested)
            {
                if (client is null)
                {
                    client = NewClient();
                    try
                    {
                        stats.Connects++;
                        await client.ConnectAsync(options.Host, options.Port, SecureSocketOptions.StartTls, abort);
                        await client.AuthenticateAsync(options.Username, options.Password, abort);
                    }
                    catch (Exception ex) when (!abort.IsCancellationRequested)
                    {
                        Record(stats, ex, Stopwatch.GetTimestamp());
                        await CloseAsync(client);
                        client = null;
                        await Task.Delay(ReconnectPause, CancellationToken.None);
                        continue;
                    }
                }

                var started = Stopwatch.GetTimestamp();
                if (options.Client == BenchClient.Build)
                {
                    // Building the message is part of what the application spends on each send: timed with it.
                    message = BenchMessage.Build(options.MessageSize, index, sent++);
                }
                else
                {
                    BenchMessage.NewId(message);
                }

                try
                {
                    var reply = await client.SendAsync(message, abort);
                    if (options.IdsOut is not null && QueuedAs().Match(reply) is { Success: true } queued)
                    {
                        _accepted.Enqueue(queued.Groups[1].Value);
                    }
                }
                catch (Exception ex) when (!abort.IsCancellationRequested)
                {
                    Record(stats, ex, Stopwatch.GetTimestamp());
                    await CloseAsync(client);
                    client = null;
                    continue;
                }

                var finished = Stopwatch.GetTimestamp();
                if (finished < timeline.MeasureStart)
                {
                    stats.WarmupAccepted++;
                }
                else if (finished <= timeline.End)
                {
                    stats.Latencies.Add(Stopwatch.GetElapsedTime(started, finished).TotalMilliseconds);
                }
                else
                {
                    stats.LateAccepted++;
                }
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            stats.OtherErrors++;
            Count(stats, "aborted: the run overran its time limit");
        }
        finally
        {
            if (client is not null)
            {
                await CloseAsync(client);
            }
        }

        return stats;
    }

    static SmtpClient NewClient() => new()
    {
        LocalDomain = "bench.example",
        // The servers measured use self-signed certificates; trust is not what is measured.
        ServerCertificateValidationCallback = (_, _, _, _) => true,
        CheckCertificateRevocation = false,
        Timeout = 30_000,
    };

    void Record(WorkerStats stats, Exception ex, long at)
    {
        var warmup = at < timeline.MeasureStart;
        if (warmup)
        {
            stats.WarmupErrors++;
        }
        else if (ex is SmtpCommandException { StatusCode: var code } && (int)code is >= 400 and < 500)
        {
            stats.Replies4xx++;
        }
        else if (ex is SmtpCommandException { StatusCode: var code5 } && (int)code5 >= 500)
        {
            stats.Replies5xx++;
        }
        else
        {
            stats.OtherErrors++;
        }

        var kind = ex is SmtpCommandException c ? $"{(int)c.StatusCode} {c.ErrorCode}: {c.Message}" : $"{ex.GetType().Name}: {ex.Message}";
        Count(stats, (warmup ? "[warm-up] " : "") + (kind.Length > 160 ? kind[..160] : kind));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"queued as (\S+)")]
    private static partial System.Text.RegularExpressions.Regex QueuedAs();

    static void Count(WorkerStats stats, string kind) =>
        stats.ErrorKinds[kind] = stats.ErrorKinds.GetValueOrDefault(kind) + 1;

    static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(true, timeout.Token);
            }
        }
        catch (Exception)
        {
            // QUIT on a broken connection may fail; the connection is dropped either way.
        }
        finally
        {
            client.Dispose();
        }
    }
}
