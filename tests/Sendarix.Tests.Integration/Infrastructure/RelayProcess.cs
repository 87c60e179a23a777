using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// The relay's host as a process of its own, as an operator runs it: the built Sendarix.Host.dll, configured through
/// environment variables, in the Production environment. It can be killed (SIGKILL), stopped as an orchestrator
/// stops it (SIGTERM) and started again on the same settings.
/// </summary>
internal sealed class RelayProcess(string name, IReadOnlyDictionary<string, string?> settings, string workDir) : IAsyncDisposable
{
    const int SigTerm = 15;
    readonly ConcurrentQueue<string> _log = new();
    Process? _process;
    int _run;

    public string Name => name;

    public IReadOnlyDictionary<string, string?> Settings => settings;

    public bool IsRunning => _process is { HasExited: false };

    public int Pid => _process?.Id ?? 0;

    /// <summary>Starts the process and waits until it answers /health/ready with 200 (storage, cluster and its listeners).</summary>
    public async Task StartAsync(TimeSpan timeout)
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
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process?.Dispose();
        var process = _process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        process.OutputDataReceived += (_, e) => Record($"[{name} run {run}] {e.Data}", e.Data);
        process.ErrorDataReceived += (_, e) => Record($"[{name} run {run} err] {e.Data}", e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Note($"run {run}: pid {process.Id}, {dotnet} {host} ({configuration})");

        using var http = new HttpClient { BaseAddress = new Uri(settings["Sendarix:Api:Url"]!), Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.TrueAsync(async () =>
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

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        if (_process is { } process)
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
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
        while (_log.Count > 400 && _log.TryDequeue(out _))
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
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);
}
