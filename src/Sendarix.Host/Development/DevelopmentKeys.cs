using System.Security.Cryptography;

namespace Sendarix.Host.Development;

/// <summary>A development operator key, generated once and kept in the data folder.</summary>
internal static class DevelopmentKeys
{
    public static string LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        PrivateFile.WriteAsync(path, key).GetAwaiter().GetResult();
        return key;
    }
}
