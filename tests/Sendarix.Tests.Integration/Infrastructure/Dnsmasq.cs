using System.Net;
using DnsClient;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// dnsmasq on loopback, answering only for the records a test gives it (no upstream, no hosts file). dnsmasq reads
/// its records at start, so changing them restarts it on the same port.
/// </summary>
internal sealed class Dnsmasq : IDisposable
{
    const string Probe = "probe.dns.test";

    readonly SemaphoreSlim _restart = new(1, 1);
    readonly List<string> _base = [];
    readonly Dictionary<string, string> _published = new(StringComparer.OrdinalIgnoreCase);
    ExternalProcess? _process;

    public int Port { get; } = Ports.Free();

    public string Server => $"127.0.0.1:{Port}";

    /// <summary>Starts with these fixed record options (e.g. "--mx-host=..."), to which published TXT records are added.</summary>
    public Task StartAsync(IEnumerable<string> records)
    {
        _base.AddRange(records);
        return RestartAsync();
    }

    /// <summary>Publishes a TXT record (replacing one of the same name) and makes the domain local, so other names in it get NODATA.</summary>
    public Task PublishAsync(string domain, string name, string value) => ReplaceAsync(domain, [(name, value)], keep: true);

    /// <summary>Makes these the domain's only TXT records (none: the domain exists but has no records).</summary>
    public Task ReplaceAsync(string domain, IEnumerable<(string Name, string Value)> records) => ReplaceAsync(domain, records, keep: false);

    async Task ReplaceAsync(string domain, IEnumerable<(string Name, string Value)> records, bool keep)
    {
        lock (_published)
        {
            if (!keep)
            {
                foreach (var name in _published.Keys.Where(k => k.Equals(domain, StringComparison.OrdinalIgnoreCase) || k.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    _published.Remove(name);
                }
            }

            foreach (var (name, value) in records)
            {
                _published[name] = value;
            }

            _published[$"local:{domain}"] = "";
        }

        await RestartAsync();
    }

    async Task RestartAsync()
    {
        await _restart.WaitAsync();
        try
        {
            string[] records;
            lock (_published)
            {
                records = [Txt(Probe, "ready"), .. _base, .. _published.Select(p => p.Key.StartsWith("local:", StringComparison.Ordinal) ? $"--local=/{p.Key[6..]}/" : Txt(p.Key, p.Value))];
            }

            await StartAsync(records, Probe, QueryType.TXT);
        }
        finally
        {
            _restart.Release();
        }
    }

    async Task StartAsync(IEnumerable<string> records, string probeName, QueryType probeType)
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
