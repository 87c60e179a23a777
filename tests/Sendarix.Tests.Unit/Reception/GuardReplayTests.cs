using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sendarix.Core.Smtp;
using Sendarix.Reception.Protocol;

namespace Sendarix.Tests.Unit.Reception;

/// <summary>
/// Replayed conversations through the guard alone, on a loopback socket: a scripted stand-in for the SMTP library
/// reads what the guard passes on and answers every line with 250, so each test shows what the guard's handlers (DSN
/// parameters, SMTPUTF8 paths) take off or rewrite, which replies they give themselves, and that every reply keeps its
/// place among pipelined ones.
/// </summary>
public sealed class GuardReplayTests
{
    [Fact]
    public async Task DSN_parameters_are_taken_off_pipelined_lines_and_a_malformed_one_is_answered_in_its_place()
    {
        await using var guard = await Harness.StartAsync();
        var replies = await guard.ConverseAsync(
            "EHLO client.test",
            "MAIL FROM:<a@b.example> SIZE=10 RET=HDRS ENVID=env+2B1",
            "RCPT TO:<c@d.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;old@d.example",
            "RCPT TO:<e@d.example> NOTIFY=NEVER,SUCCESS",
            "RCPT TO:<f@d.example>");

        Assert.Equal(["EHLO client.test", "MAIL FROM:<a@b.example> SIZE=10", "RCPT TO:<c@d.example>", "NOOP", "RCPT TO:<f@d.example>"], guard.LibraryLines);
        Assert.Equal(5, replies.Count);
        Assert.StartsWith("250", replies[2]);
        Assert.StartsWith("501 5.5.4 NOTIFY", replies[3]);
        Assert.StartsWith("250", replies[4]);

        var dsn = guard.Pipe.TransactionDsn()!;
        Assert.Equal((DsnReturn.Headers, "env+1"), (dsn.Return, dsn.EnvelopeId));
        Assert.Equal([new DsnRecipient(DsnNotify.Success | DsnNotify.Failure, "rfc822;old@d.example"), default], dsn.Recipients);
    }

    [Fact]
    public async Task A_new_transaction_starts_without_the_last_ones_DSN_parameters()
    {
        await using var guard = await Harness.StartAsync();
        await guard.ConverseAsync("EHLO client.test", "MAIL FROM:<a@b.example> ENVID=first", "RCPT TO:<c@d.example> NOTIFY=NEVER", "RSET",
            "MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>");
        Assert.Null(guard.Pipe.TransactionDsn());
    }

    [Fact]
    public async Task SMTPUTF8_paths_reach_the_library_with_A_label_domains()
    {
        await using var guard = await Harness.StartAsync();
        var replies = await guard.ConverseAsync(
            "EHLO client.test",
            "MAIL FROM:<josé@bücher.example> SMTPUTF8",
            "RCPT TO:<用户@例子.测试>");

        Assert.Equal(["EHLO client.test", "MAIL FROM:<josé@xn--bcher-kva.example> SMTPUTF8", "RCPT TO:<用户@xn--fsqu00a.xn--0zwm56d>"], guard.LibraryLines);
        Assert.All(replies, r => Assert.StartsWith("250", r));
        Assert.True(guard.Pipe.TransactionSmtpUtf8);
    }

    [Fact]
    public async Task A_utf8_path_without_SMTPUTF8_never_reaches_the_library()
    {
        await using var guard = await Harness.StartAsync();
        var replies = await guard.ConverseAsync("EHLO client.test", "MAIL FROM:<a@b.example>", "RCPT TO:<josé@d.example>", "RCPT TO:<ok@d.example>");

        Assert.Equal(["EHLO client.test", "MAIL FROM:<a@b.example>", "NOOP", "RCPT TO:<ok@d.example>"], guard.LibraryLines);
        Assert.StartsWith("553 5.6.7", replies[2]);
        Assert.StartsWith("250", replies[3]);
        Assert.False(guard.Pipe.TransactionSmtpUtf8);
    }

    /// <summary>A client socket, the guard on the server socket, and the library's stand-in answering every line with 250.</summary>
    sealed class Harness : IAsyncDisposable
    {
        readonly Socket _client;
        readonly Task _library;
        readonly List<string> _libraryLines = [];
        readonly StringBuilder _received = new();

        Harness(Socket client, GuardedDuplexPipe pipe)
        {
            _client = client;
            Pipe = pipe;
            _library = RunLibraryAsync();
        }

        public GuardedDuplexPipe Pipe { get; }

        public IReadOnlyList<string> LibraryLines
        {
            get
            {
                lock (_libraryLines)
                {
                    return [.. _libraryLines];
                }
            }
        }

        public static async Task<Harness> StartAsync()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndpoint);
            var server = await listener.AcceptSocketAsync();
            var pipe = new GuardedDuplexPipe(server, new GuardLimits(4096, 1 << 20, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)),
                implicitTls: false, CancellationToken.None, () => server.Dispose());
            var harness = new Harness(client, pipe);
            await harness.ReadRepliesAsync(1);
            return harness;
        }

        /// <summary>Sends the lines pipelined, in one write, and returns one (last) line per reply.</summary>
        public async Task<IReadOnlyList<string>> ConverseAsync(params string[] lines)
        {
            await _client.SendAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\r\n"))));
            return await ReadRepliesAsync(lines.Length);
        }

        async Task<IReadOnlyList<string>> ReadRepliesAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var buffer = new byte[4096];
            while (true)
            {
                var finals = _received.ToString().Split("\r\n").Where(l => l.Length > 3 && l[3] == ' ').ToList();
                if (finals.Count >= count)
                {
                    _received.Clear();
                    return finals;
                }

                var read = await _client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    throw new IOException("The guard closed the connection.");
                }

                _received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }

        async Task RunLibraryAsync()
        {
            await WriteAsync("220 relay.test ESMTP ready");
            while (true)
            {
                var result = await Pipe.Input.ReadAsync();
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = Encoding.UTF8.GetString(buffer.Slice(0, end).ToArray()).TrimEnd('\r');
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                    lock (_libraryLines)
                    {
                        _libraryLines.Add(line);
                    }

                    await WriteAsync(line.StartsWith("EHLO", StringComparison.Ordinal) ? "250 relay.test" : "250 OK");
                }

                Pipe.Input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }

        async Task WriteAsync(string reply)
        {
            Pipe.Output.Write(Encoding.UTF8.GetBytes(reply + "\r\n"));
            await Pipe.Output.FlushAsync();
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await Task.WhenAny(_library, Task.Delay(TimeSpan.FromSeconds(5)));
            Pipe.Dispose();
        }
    }
}
