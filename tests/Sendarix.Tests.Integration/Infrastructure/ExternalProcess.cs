using System.Diagnostics;
using System.Text;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>A server program from the machine's packages (dnsmasq, Postfix's smtp-sink), run for one test class.</summary>
internal sealed class ExternalProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    public ExternalProcess(string program, IEnumerable<string> arguments)
    {
        var path = new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{program} is not installed; infra/test.sh installs it (Debian packages postfix, dnsmasq-base).");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
