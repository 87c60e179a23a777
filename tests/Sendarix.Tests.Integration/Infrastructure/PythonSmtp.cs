using System.Diagnostics;
using System.Text.Json;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>Python's smtplib as a submission client: the relay must work for clients that are not .NET.</summary>
internal static class PythonSmtp
{
    public static async Task<(int Code, string Text)> SubmitAsync(int port, string mode, TenantCredential credential, string from, string[] to, byte[] message)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, message);
        try
        {
            var start = new ProcessStartInfo("python3")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Scripts", "submit.py"), "127.0.0.1", port.ToString(), mode, credential.Username, credential.Secret, from, string.Join(',', to), file },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(cts.Token);
            Assert.True(process.ExitCode == 0, $"smtplib failed: {await error}");
            var result = JsonDocument.Parse(await output).RootElement;
            return (result.GetProperty("code").GetInt32(), result.GetProperty("text").GetString()!);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
