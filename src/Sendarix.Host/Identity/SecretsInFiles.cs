using Microsoft.Extensions.Configuration.Json;

namespace Sendarix.Host.Identity;

/// <summary>
/// Outside development, refuses secrets written in the settings files shipped beside the binary (appsettings*.json):
/// those files travel with every build and image. Secrets come from Key Vault (Sendarix:KeyVault:Uri), a platform
/// Key Vault reference or the environment; storage keys are not needed at all with the service URIs.
/// </summary>
internal static class SecretsInFiles
{
    static readonly string[] Secrets =
    [
        "Sendarix:Api:OperatorApiKey",
        "Sendarix:Domains:KeyEncryptionKey",
        "Sendarix:Smtp:Certificate",
        "Sendarix:Smtp:CertificatePassword",
    ];

    static readonly string[] ConnectionStrings = ["Sendarix:Storage:ConnectionString", "Sendarix:Storage:ReportingConnectionString"];

    public static void Refuse(IConfigurationRoot configuration)
    {
        var found = Secrets.Where(key => FromFile(configuration, key) is { Length: > 0 })
            .Concat(ConnectionStrings.Where(key => FromFile(configuration, key) is { } value
                && (value.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) || value.Contains("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase))))
            .ToList();
        if (found.Count > 0)
        {
            throw new InvalidOperationException(
                $"{string.Join(", ", found)}: secrets in a settings file are refused outside development; give them through Key Vault (Sendarix:KeyVault:Uri), a Key Vault reference or the environment (storage: the service URIs with the node's managed identity).");
        }
    }

    // The value the configuration takes for the key, when it comes from a JSON settings file (the last provider wins).
    static string? FromFile(IConfigurationRoot configuration, string key)
    {
        foreach (var provider in configuration.Providers.Reverse())
        {
            if (provider.TryGet(key, out var value))
            {
                return provider is JsonConfigurationProvider ? value : null;
            }
        }

        return null;
    }
}
