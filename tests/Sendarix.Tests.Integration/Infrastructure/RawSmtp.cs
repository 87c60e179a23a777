using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>A bare SMTP client that sends exactly the bytes a test gives it and reads replies line by line.</summary>
internal sealed class RawSmtp : IAsyncDisposable
{
    readonly TcpClient _tcp;
    Stream _stream;
    readonly List<byte> _pending = [];

    RawSmtp(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    public string Greeting { get; private set; } = "";

    /// <summary>After <see cref="LoginAsync"/>: an address of the tenant's verified domain.</summary>
    public string From { get; private set; } = "";

    /// <summary>Connects from <paramref name="from"/> (another loopback address stands in for another client) or 127.0.0.1.</summary>
    public static async Task<RawSmtp> ConnectAsync(int port, bool implicitTls = false, string? from = null)
    {
        var tcp = from is null ? new TcpClient() : new TcpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(from), 0));
        await tcp.ConnectAsync("127.0.0.1", port);
        var client = new RawSmtp(tcp, tcp.GetStream());
        if (implicitTls)
        {
            await client.UpgradeAsync();
        }

        client.Greeting = (await client.ReadReplyAsync()).Last();
        return client;
    }

    /// <summary>EHLO, STARTTLS, EHLO again; returns the extensions offered over TLS.</summary>
    public async Task<IReadOnlyList<string>> SecureAsync()
    {
        await CommandAsync("EHLO client.test");
        Assert.StartsWith("220 2.0.0", await CommandAsync("STARTTLS"));
        await UpgradeAsync();
        return await EhloAsync();
    }

    public async Task<IReadOnlyList<string>> EhloAsync()
    {
        await SendAsync("EHLO client.test\r\n");
        return (await ReadReplyAsync()).Select(l => l[4..]).ToList();
    }

    public async Task LoginAsync(TenantCredential credential)
    {
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{credential.Username}\0{credential.Secret}"));
        Assert.StartsWith("235 2.7.0", await CommandAsync($"AUTH PLAIN {plain}"));
        From = credential.Sender;
    }

    /// <summary>Sends one command and returns the last line of its reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return (await ReadReplyAsync()).Last();
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads one reply (all its lines); an empty list when the server closed the connection.</summary>
    public async Task<IReadOnlyList<string>> ReadReplyAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(cts.Token);
            if (line is null)
            {
                return lines;
            }

            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return lines;
            }
        }
    }

    /// <summary>True once the server has closed the connection (reads end).</summary>
    public async Task<bool> IsClosedAsync(TimeSpan timeout)
    {
        try
        {
            return (await ReadReplyAsync(timeout)).Count == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async Task UpgradeAsync()
    {
        var ssl = new SslStream(_stream, false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "relay.test",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        });
        _stream = ssl;
        _pending.Clear();
    }

    async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(_pending.GetRange(0, lf).ToArray()).TrimEnd('\r');
                _pending.RemoveRange(0, lf + 1);
                return line;
            }

            var read = await _stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
