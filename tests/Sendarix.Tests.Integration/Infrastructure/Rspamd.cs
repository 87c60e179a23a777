using System.Net;
using System.Net.Sockets;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// A real rspamd (Debian's package) on loopback, for the outbound spam scanning tests: the stock rules from
/// /etc/rspamd, with only its listeners, workers and logging overridden and data folders of its own. A stop kills it;
/// a start brings it back on the same ports, as after an outage.
/// </summary>
/// <remarks>
/// A start from nothing compiles the rules' Hyperscan databases (10-30 s on two cores); they are kept in one folder
/// for the whole test run, which cuts later starts to about a second. DNS is the machine's resolver: pointed
/// at a closed port instead, a scan that looks anything up (a client IP off loopback, a URL) waits out the timeout.
/// </remarks>
internal sealed class Rspamd : IAsyncDisposable
{
    const string NotInstalled = "rspamd is not installed: infra/test.sh installs the Debian package rspamd";

    // rspamd writes each cache file under a name of its own and renames it, so instances can share the folder.
    static readonly Lazy<string> HyperscanCache = new(() =>
    {
        const string prefix = "rspamd-hyperscan-";
        var root = Path.Combine(Path.GetTempPath(), "sendarix-tests");
        // The test host may be killed before its exit handler has deleted its folder: a later run removes it.
        foreach (var stale in Directory.Exists(root) ? Directory.GetDirectories(root, prefix + "*") : [])
        {
            if (int.TryParse(Path.GetFileName(stale)[prefix.Length..], out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                TryDelete(stale);
            }
        }

        var dir = Path.Combine(root, prefix + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(dir);
        return dir;
    });

    // The run's first start fills the cache alone: started together, every instance would compile it at once.
    static readonly SemaphoreSlim FirstStart = new(1, 1);
    static bool _cacheFilled;

    readonly string _dir = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"rspamd-{Guid.NewGuid():N}");
    readonly int _controllerPort = Ports.Free();
    readonly int _proxyPort = Ports.Free();
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    ExternalProcess? _process;

    /// <summary>The normal worker's port, which scans (/checkv2) and answers /ping.</summary>
    public int Port { get; } = Ports.Free();

    public string Url => $"http://127.0.0.1:{Port}";

    // Where ExternalProcess looks. Without rspamd the tests that use it fail, never skip.
    static bool Installed => new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Any(d => File.Exists(Path.Combine(d, "rspamd")));

    /// <summary>Starts rspamd (again, after <see cref="StopAsync"/>: on the same ports) and returns once it answers /ping.</summary>
    public async Task StartAsync()
    {
        if (!Installed)
        {
            throw new InvalidOperationException(NotInstalled);
        }

        if (_process is not null)
        {
            throw new InvalidOperationException("rspamd is already running.");
        }

        await WriteConfigurationAsync();
        if (Volatile.Read(ref _cacheFilled))
        {
            await RunAsync();
            return;
        }

        await FirstStart.WaitAsync();
        try
        {
            await RunAsync();
            Volatile.Write(ref _cacheFilled, true);
        }
        finally
        {
            FirstStart.Release();
        }
    }

    async Task WriteConfigurationAsync()
    {
        var overrides = Path.Combine(_dir, "local", "override.d");
        foreach (var dir in new[] { overrides, Path.Combine(_dir, "db"), Path.Combine(_dir, "run"), Path.Combine(_dir, "log") })
        {
            Directory.CreateDirectory(dir);
        }

        await File.WriteAllTextAsync(Path.Combine(overrides, "worker-normal.inc"), $"bind_socket = \"127.0.0.1:{Port}\";\ncount = 1;\n");
        await File.WriteAllTextAsync(Path.Combine(overrides, "worker-controller.inc"), $"bind_socket = \"127.0.0.1:{_controllerPort}\";\ncount = 1;\n");
        await File.WriteAllTextAsync(Path.Combine(overrides, "worker-proxy.inc"), $"bind_socket = \"127.0.0.1:{_proxyPort}\";\ncount = 0;\n");
        await File.WriteAllTextAsync(Path.Combine(overrides, "logging.inc"), "type = \"console\";\nlevel = \"warning\";\n");
        await File.WriteAllTextAsync(Path.Combine(overrides, "options.inc"), $"hs_cache_dir = \"{HyperscanCache.Value}/\";\n");
    }

    async Task RunAsync()
    {
        // -f: in the foreground, so the process tree is ours to kill; -i: lets the workers run as root, if the tests do.
        string[] user = Environment.UserName == "root" ? ["-u", "root", "-g", "root"] : [];
        var process = new ExternalProcess("rspamd",
        [
            "-f", "-i", .. user, "-c", "/etc/rspamd/rspamd.conf",
            $"--var=LOCAL_CONFDIR={Path.Combine(_dir, "local")}", $"--var=DBDIR={Path.Combine(_dir, "db")}",
            $"--var=RUNDIR={Path.Combine(_dir, "run")}", $"--var=LOGDIR={Path.Combine(_dir, "log")}",
        ]);
        _process = process;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("rspamd exited while starting");
                }

                return await PongAsync();
            }, TimeSpan.FromSeconds(60), $"rspamd to answer {Url}/ping");
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            process.Dispose();
            _process = null;
            throw new InvalidOperationException($"{ex.Message}\n--- rspamd's output ---\n{process.Output}", ex);
        }
    }

    async Task<bool> PongAsync()
    {
        try
        {
            return (await _http.GetStringAsync($"{Url}/ping")).Trim() == "pong";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Kills rspamd: the main process and, as its process tree, every worker it forked. Returns once its ports refuse
    /// connections (a listening socket closes only when no worker holds it any more).
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        _process.Dispose();
        _process = null;
        await Eventually.TrueAsync(async () => !await ListeningAsync(Port) && !await ListeningAsync(_controllerPort),
            TimeSpan.FromSeconds(10), $"rspamd's ports {Port} and {_controllerPort} to close");
    }

    static async Task<bool> ListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        TryDelete(_dir);
    }

    static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
