using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// The relay's host as a process of its own, as an operator runs it: the built Sendarix.Host.dll, configured through
/// environment variables (the settings as Sendarix__… variables, and <paramref name="environment"/> for what is
/// process-wide, such as a managed identity endpoint), in the Production environment. Nothing of the test process's
/// own environment that names Azure or Sendarix is passed on. It can be killed (SIGKILL), stopped as an orchestrator
/// stops it (SIGTERM) and started again on the same settings.
/// </summary>
internal sealed class RelayProcess(string name, IReadOnlyDictionary<string, string?> settings, string workDir,
    IReadOnlyDictionary<string, string>? environment = null) : IAsyncDisposable
{
    const int SigTerm = 15;
    readonly ConcurrentQueue<string> _log = new();
    Process? _process;
    int _run;
    bool _ownsWorkDir;

    public string Name => name;

    public IReadOnlyDictionary<string, string?> Settings => settings;

    public bool IsRunning => _process is { HasExited: false };

    public int ExitCode => _process?.ExitCode ?? throw new InvalidOperationException($"{name} was never started.");

    /// <summary>Everything the process wrote so far (the last 2,000 lines), with the test's notes.</summary>
    public string Output => string.Join('\n', _log);

    /// <summary>Starts a relay in a working directory of its own, without waiting for it.</summary>
    public static RelayProcess Start(IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string> environment)
    {
        var relay = new RelayProcess("relay", settings, Path.Combine(Path.GetTempPath(), "sendarix-tests", $"process-{Guid.NewGuid():N}"), environment);
        relay._ownsWorkDir = true;
        relay.Launch();
        return relay;
    }

    /// <summary>Starts the process and waits until it is ready.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        Launch();
        await WaitReadyAsync(timeout);
    }

    void Launch()
    {
        var run = ++_run;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var host = Path.Combine(Repository.Root, "src", "Sendarix.Host", "bin", configuration, "net10.0", "Sendarix.Host.dll");
        Assert.True(File.Exists(host), $"The relay host is not built at {host}.");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
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

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        _process?.Dispose();
        var process = _process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        process.OutputDataReceived += (_, e) => Record($"[{name} run {run}] {e.Data}", e.Data);
        process.ErrorDataReceived += (_, e) => Record($"[{name} run {run} err] {e.Data}", e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Note($"run {run}: pid {process.Id}, {dotnet} {host} ({configuration})");
    }

    /// <summary>Waits until the process answers /health/ready with 200 (storage, cluster and its listeners); fails at once if it exits.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{name} was never started.");
        var run = _run;
        using var http = new HttpClient { BaseAddress = new Uri(settings["Sendarix:Api:Url"]!), Timeout = TimeSpan.FromSeconds(10) };
        var ready = Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready.\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync("/health/ready");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, timeout, $"{name} (run {run}) to be ready");
        try
        {
            await ready;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{Tail()}", ex);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>SIGTERM, as an orchestrator stops a node; returns once the process has exited, with its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{name} was never started.");
        if (!process.HasExited)
        {
            Assert.Equal(0, SendSignal(process.Id, SigTerm));
        }

        await process.WaitForExitAsync().WaitAsync(timeout);
        Note($"exited with code {process.ExitCode}");
        return process.ExitCode;
    }

    /// <summary>Waits for the process to end (after a kill, or by itself: a start that must fail); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{name} was never started.");
        await process.WaitForExitAsync().WaitAsync(timeout);
        return process.ExitCode;
    }

    /// <summary>Adds a line of the test's own to this process's log, to read the two in order.</summary>
    public void Note(string line) => Record($"[test/{name}] {line}", line);

    /// <summary>The last lines of the process's output.</summary>
    public string Tail(int lines = 80)
    {
        var all = _log.ToArray();
        var text = new StringBuilder($"--- last {Math.Min(lines, all.Length)} lines of {name}'s output ---\n");
        foreach (var line in all.Skip(Math.Max(0, all.Length - lines)))
        {
            text.Append(line.Length > 2000 ? line[..2000] + "…" : line).Append('\n');
        }

        return text.ToString();
    }

    void Record(string line, string? data)
    {
        if (data is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > 2000 && _log.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        if (_process is not null)
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
            }

            _process.Dispose();
        }

        if (_ownsWorkDir)
        {
            try
            {
                Directory.Delete(workDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);
}
