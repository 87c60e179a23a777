using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// An Azurite process on loopback with its own data folder and ports. One is shared by the test run
/// (<see cref="Shared"/>); a test that stops storage starts its own.
/// </summary>
internal sealed class AzuriteServer : IAsyncDisposable
{
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    static readonly Lazy<Task<AzuriteServer>> SharedServer = new(async () =>
    {
        var server = new AzuriteServer();
        await server.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        return server;
    });

    readonly string _dataDir = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"azurite-{Guid.NewGuid():N}");
    readonly int _blob = Ports.Free();
    readonly int _queue = Ports.Free();
    readonly int _table = Ports.Free();
    readonly bool _oauth;
    Process? _process;

    /// <param name="oauth">
    /// Also take bearer tokens (Azurite's "--oauth basic": issuer, audience and lifetime are checked, not the
    /// signature), over HTTPS with a certificate from <see cref="TestCa"/> for 127.0.0.1, as Azure Storage would.
    /// </param>
    public AzuriteServer(bool oauth = false) => _oauth = oauth;

    public static Task<AzuriteServer> Shared => SharedServer.Value;

    string Scheme => _oauth ? "https" : "http";

    public string ConnectionString =>
        $"DefaultEndpointsProtocol={Scheme};AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobServiceUri};QueueEndpoint={QueueServiceUri};TableEndpoint={TableServiceUri};";

    public Uri TableServiceUri => new($"{Scheme}://127.0.0.1:{_table}/devstoreaccount1");

    public Uri QueueServiceUri => new($"{Scheme}://127.0.0.1:{_queue}/devstoreaccount1");

    public Uri BlobServiceUri => new($"{Scheme}://127.0.0.1:{_blob}/devstoreaccount1");

    public async Task StartAsync()
    {
        if (!File.Exists(Repository.Azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed at {Repository.Azurite}; run 'npm ci' in the repository root (infra/test.sh does).");
        }

        Directory.CreateDirectory(_dataDir);
        var start = new ProcessStartInfo(Repository.Azurite)
        {
            ArgumentList =
            {
                "--silent", "--location", _dataDir, "--disableTelemetry", "--skipApiVersionCheck",
                "--blobHost", "127.0.0.1", "--blobPort", _blob.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", _queue.ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", _table.ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_oauth)
        {
            using var certificate = TestCa.Issue("127.0.0.1");
            var (cert, key) = (Path.Combine(_dataDir, "tls.pem"), Path.Combine(_dataDir, "tls.key"));
            await File.WriteAllTextAsync(cert, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(key, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
            foreach (var argument in new[] { "--oauth", "basic", "--cert", cert, "--key", key })
            {
                start.ArgumentList.Add(argument);
            }
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        foreach (var port in new[] { _blob, _queue, _table })
        {
            await Ports.WaitListeningAsync(IPAddress.Loopback, port, TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Stops Azurite the way an operator would (SIGTERM), so its data survives for a restart.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill!.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Freezes Azurite (SIGSTOP): connections still open and requests are still taken in by the kernel, but nothing
    /// answers until <see cref="ResumeAsync"/>, when what arrived meanwhile is carried out, as after a network stall.
    /// </summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    public Task ResumeAsync() => SignalAsync("-CONT");

    async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process!.Id.ToString()]);
        await kill!.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            await ResumeAsync();
        }

        await StopAsync();
        TryDelete();
    }

    void Kill()
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        TryDelete();
    }

    void TryDelete()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
