using System.Diagnostics;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>Runs one of the test scripts (Scripts/) with a Python interpreter and returns what it printed.</summary>
internal static class PythonScript
{
    public static async Task<string> RunAsync(string interpreter, string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Scripts", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"{script} failed: {await error}");
        return (await output).Trim();
    }

    /// <summary>Writes <paramref name="content"/> to a temporary file for the script, and removes it after.</summary>
    public static async Task<string> RunWithFileAsync(string interpreter, string script, byte[] content, params string[] arguments)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, content);
        try
        {
            return await RunAsync(interpreter, script, [.. arguments.Select(a => a == "{file}" ? file : a)]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
