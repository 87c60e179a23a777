using System.Diagnostics;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>dkimpy (Debian's python3-dkim) checking a delivered message against the record the API published.</summary>
internal static class DkimVerifier
{
    public static async Task<string> VerifyAsync(byte[] message, string recordName, string recordValue)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, message);
        try
        {
            // Debian's own interpreter: python3-dkim installs there, whatever python3 comes first on the PATH.
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Scripts", "dkim_verify.py"), file, recordName, recordValue },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(cts.Token);
            Assert.True(process.ExitCode == 0, $"dkimpy failed: {await error}");
            return (await output).Trim();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
