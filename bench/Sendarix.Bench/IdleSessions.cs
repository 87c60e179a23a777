using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Sendarix.Bench;

/// <summary>
/// Holds many SMTP sessions open and idle after STARTTLS and a second EHLO, as connection pools of applications do,
/// then times fresh greetings while they are held: how much a front-end spends on sessions that send nothing, and
/// whether a new client still gets its 220 at once.
///   Sendarix.Bench idle HOST PORT SESSIONS SOURCES HOLD_S
/// The sessions come from SOURCES loopback addresses (127.0.0.2 upwards), as from that many client hosts. Prints
/// "READY open=N" once they are all open (the caller measures the server then), then "IDLE ..." with the figures.
/// </summary>
internal static class IdleSessions
{
    const int OpenAtOnce = 64;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var port) || !int.TryParse(args[2], CultureInfo.InvariantCulture, out var count)
            || !int.TryParse(args[3], CultureInfo.InvariantCulture, out var sources) || sources is < 1 or > 250
            || !double.TryParse(args[4], CultureInfo.InvariantCulture, out var hold))
        {
            Console.Error.WriteLine("usage: Sendarix.Bench idle HOST PORT SESSIONS SOURCES(1-250) HOLD_S");
            return 2;
        }

        var host = IPAddress.Parse(args[0]);
        var sessions = new List<(Socket Socket, SslStream Tls)>(count);
        var failures = new Dictionary<string, int>();
        var started = Stopwatch.GetTimestamp();
        using (var gate = new SemaphoreSlim(OpenAtOnce))
        {
            var opening = Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var session = await OpenAsync(new IPAddress([127, 0, 0, (byte)(2 + i % sources)]), new IPEndPoint(host, port));
                    lock (sessions)
                    {
                        sessions.Add(session);
                    }
                }
                catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
                {
                    lock (failures)
                    {
                        var kind = ex.GetType().Name + ": " + ex.Message;
                        failures[kind] = failures.GetValueOrDefault(kind) + 1;
                    }
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            await Task.WhenAll(opening);
        }

        var openSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var (kind, n) in failures)
        {
            Console.Error.WriteLine($"idle: {n} x {kind}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY open={sessions.Count}"));

        // Fresh clients while the others are held: the time from connect to the whole greeting.
        var greetings = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var t = Stopwatch.GetTimestamp();
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, 1]), 0));
            await socket.ConnectAsync(new IPEndPoint(host, port));
            using var stream = new NetworkStream(socket, ownsSocket: false);
            var reply = await ReadReplyAsync(stream);
            greetings.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            if (!reply.StartsWith("220", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"idle: a fresh client was greeted with {reply.Trim()}");
            }

            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(hold));

        // Still open after the hold: the server kept every session (an idle timeout longer than the run).
        var alive = sessions.Count(s => s.Socket.Connected && !(s.Socket.Poll(0, SelectMode.SelectRead) && s.Socket.Available == 0));
        foreach (var (socket, tls) in sessions)
        {
            tls.Dispose();
            socket.Dispose();
        }

        greetings.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"IDLE sessions={count} open={sessions.Count} failed={count - sessions.Count} open_seconds={openSeconds:0.0} alive_after_hold={alive} greeting_p50_ms={greetings[greetings.Count / 2]:0.0} greeting_max_ms={greetings[^1]:0.0}"));
        return sessions.Count == count ? 0 : 1;
    }

    static async Task<(Socket, SslStream)> OpenAsync(IPAddress source, IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server);
            var plain = new NetworkStream(socket, ownsSocket: false);
            Expect(await ReadReplyAsync(plain), "220");
            await plain.WriteAsync("EHLO idle.example\r\n"u8.ToArray());
            Expect(await ReadReplyAsync(plain), "250");
            await plain.WriteAsync("STARTTLS\r\n"u8.ToArray());
            Expect(await ReadReplyAsync(plain), "220");

            // The server's certificate is self-signed here; trust is not what is measured.
            var tls = new SslStream(plain, leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
            await tls.WriteAsync("EHLO idle.example\r\n"u8.ToArray());
            Expect(await ReadReplyAsync(tls), "250");
            return (socket, tls);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    static void Expect(string reply, string code)
    {
        if (!reply.StartsWith(code, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"expected {code}, got {reply.Trim()}");
        }
    }

    // A whole reply: lines until one whose fourth character is a space.
    static async Task<string> ReadReplyAsync(Stream stream)
    {
        var text = new StringBuilder();
        var line = new StringBuilder();
        var buffer = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(buffer) == 0)
            {
                throw new IOException("the server closed the connection");
            }

            line.Append((char)buffer[0]);
            if (buffer[0] == '\n')
            {
                text.Append(line);
                if (line.Length < 4 || line[3] == ' ')
                {
                    return text.ToString();
                }

                line.Clear();
            }
        }
    }
}
