using System.Net;
using DnsClient;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// dnsmasq on loopback, answering only for the records a test gives it (no upstream, no hosts file). dnsmasq reads
/// its records at start, so changing them restarts it on the same port.
/// </summary>
internal sealed class Dnsmasq : IDisposable
{
    ExternalProcess? _process;

    public int Port { get; } = Ports.Free();

    public string Server => $"127.0.0.1:{Port}";

    /// <summary>(Re)starts with these record options (e.g. "--mx-host=...", "--txt-record=...") and waits until it answers.</summary>
    public async Task StartAsync(IEnumerable<string> records, string probeName, QueryType probeType)
    {
        _process?.Dispose();
        _process = new ExternalProcess("dnsmasq",
        [
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file=",
            "--bind-interfaces", "--listen-address=127.0.0.1", $"--port={Port}", "--log-facility=-", .. records,
        ]);
        var lookup = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port)) { UseCache = false, Timeout = TimeSpan.FromSeconds(1) });
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return !(await lookup.QueryAsync(probeName, probeType)).HasError;
            }
            catch (DnsResponseException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"dnsmasq to answer on port {Port}: {_process.Output}");
    }

    /// <summary>
    /// A TXT record option; values longer than 255 characters become several strings of one record. On the command
    /// line dnsmasq keeps quotes as part of the text, so none are added (and values must not contain commas).
    /// </summary>
    public static string Txt(string name, string value) =>
        $"--txt-record={name}," + string.Join(",", value.Chunk(255).Select(c => new string(c)));

    public void Dispose() => _process?.Dispose();
}
