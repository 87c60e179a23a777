namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>dkimpy (Debian's python3-dkim) checking a delivered message against the records the API published.</summary>
internal static class DkimVerifier
{
    // Debian's own interpreter: python3-dkim installs there, whatever python3 comes first on the PATH.
    public static Task<string> VerifyAsync(byte[] message, string recordName, string recordValue) =>
        VerifyAsync(message, (recordName, recordValue));

    public static Task<string> VerifyAsync(byte[] message, params (string Name, string Value)[] records) =>
        PythonScript.RunWithFileAsync("/usr/bin/python3", "dkim_verify.py", message, ["{file}", .. records.SelectMany(r => new[] { r.Name, r.Value })]);
}
