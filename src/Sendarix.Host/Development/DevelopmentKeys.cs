using System.Security.Cryptography;

namespace Sendarix.Host.Development;

/// <summary>Development keys (operator API key, key-encryption key), generated once and kept in the data folder.</summary>
internal static class DevelopmentKeys
{
    public static string LoadOrCreate(string path, Func<byte[], string> format)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var key = format(RandomNumberGenerator.GetBytes(32));
        PrivateFile.WriteAsync(path, key).GetAwaiter().GetResult();
        return key;
    }
}
