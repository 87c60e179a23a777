using System.Text.Json;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>Python's smtplib as a submission client: the relay must work for clients that are not .NET.</summary>
internal static class PythonSmtp
{
    public static async Task<(int Code, string Text)> SubmitAsync(int port, string mode, TenantCredential credential, string from, string[] to, byte[] message)
    {
        var output = await PythonScript.RunWithFileAsync("python3", "submit.py", message,
            "127.0.0.1", port.ToString(), mode, credential.Username, credential.Secret, from, string.Join(',', to), "{file}");
        var result = JsonDocument.Parse(output).RootElement;
        return (result.GetProperty("code").GetInt32(), result.GetProperty("text").GetString()!);
    }

    /// <summary>Sends <paramref name="message"/> as a provider's feedback loop does: no AUTH, STARTTLS when offered, null sender.</summary>
    public static async Task<(int Code, string Text, bool AuthOffered)> ReportAsync(int port, string to, byte[] message)
    {
        var output = await PythonScript.RunWithFileAsync("python3", "report.py", message, "127.0.0.1", port.ToString(), to, "{file}");
        var result = JsonDocument.Parse(output).RootElement;
        return (result.GetProperty("code").GetInt32(), result.GetProperty("text").GetString()!, result.GetProperty("auth").GetBoolean());
    }
}
