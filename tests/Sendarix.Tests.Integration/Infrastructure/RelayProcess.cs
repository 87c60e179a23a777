using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// The relay as its own process (the built Sendarix.Host, in the Production environment), configured only through
/// its environment: for what is process-wide, such as the managed identity endpoint and the trusted roots.
/// </summary>
internal sealed class RelayProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly ConcurrentQueue<string> _output = new();
    readonly string _workDir;

    RelayProcess(Process process, string workDir) => (_process, _workDir) = (process, workDir);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts the relay with <paramref name="settings"/> (as Sendarix__… variables) and <paramref name="environment"/>;
    /// nothing else of the test process's environment that names Azure or Sendarix is passed on.
    /// </summary>
    public static RelayProcess Start(IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string> environment)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var host = Path.Combine(Repository.Root, "src", "Sendarix.Host", "bin", configuration, "net10.0", "Sendarix.Host.dll");
        Assert.True(File.Exists(host), $"The relay host is not built at {host}.");
        var dotnet = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
        var workDir = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"process-{Guid.NewGuid():N}");
        Directory.CreateDirectory(workDir);

        var start = new ProcessStartInfo(dotnet)
        {
            ArgumentList = { host },
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AZURE_", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("IDENTITY_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSI_", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("Sendarix", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The relay process did not start.");
        var relay = new RelayProcess(process, workDir);
        process.OutputDataReceived += (_, e) => relay.Record(e.Data);
        process.ErrorDataReceived += (_, e) => relay.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return relay;
    }

    /// <summary>Waits until /health answers 200 and the STARTTLS port takes connections; fails at once if the process exits.</summary>
    public async Task WaitReadyAsync(Uri api, int smtpPort, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The relay exited with code {_process.ExitCode} before it was ready.");
                }

                try
                {
                    using var response = await http.GetAsync("/health");
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return false;
                    }

                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, smtpPort);
                    return true;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or SocketException)
                {
                    return false;
                }
            }, timeout, "the relay process to answer /health and listen for SMTP");
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- the relay's output ---\n{Tail()}", ex);
        }
    }

    /// <summary>Waits for the process to end by itself (a start that must fail).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public string Tail(int lines = 60)
    {
        var all = _output.ToArray();
        var text = new StringBuilder();
        foreach (var line in all.Skip(Math.Max(0, all.Length - lines)))
        {
            text.Append(line.Length > 2000 ? line[..2000] + "…" : line).Append('\n');
        }

        return text.ToString();
    }

    void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 2000 && _output.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
