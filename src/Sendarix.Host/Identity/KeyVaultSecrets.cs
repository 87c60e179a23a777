using Azure;
using Azure.Security.KeyVault.Secrets;

namespace Sendarix.Host.Identity;

/// <summary>
/// A Key Vault's secrets as configuration, read once at start: each enabled secret named "Sendarix--…" under its key
/// with "--" for ":" ("Sendarix--Api--OperatorApiKey" is "Sendarix:Api:OperatorApiKey"), the convention of the Azure
/// configuration providers; other secrets in the vault are left alone. <paramref name="named"/> adds secrets of any
/// name under a given key (a certificate's secret, named as the certificate is).
/// </summary>
internal sealed class KeyVaultSecretsSource(SecretClient client, IReadOnlyDictionary<string, string> named) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new KeyVaultSecretsProvider(client, named);
}

internal sealed class KeyVaultSecretsProvider(SecretClient client, IReadOnlyDictionary<string, string> named) : ConfigurationProvider
{
    public const string Prefix = "Sendarix--";

    /// <summary>The configuration key of a secret named by the convention.</summary>
    public static string KeyOf(string secretName) => secretName.Replace("--", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var properties in client.GetPropertiesOfSecrets())
            {
                if (properties.Name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && properties.Enabled == true
                    && (properties.ExpiresOn is null || properties.ExpiresOn > now) && (properties.NotBefore is null || properties.NotBefore <= now))
                {
                    data[KeyOf(properties.Name)] = client.GetSecret(properties.Name).Value.Value;
                }
            }

            foreach (var (name, key) in named)
            {
                data[key] = client.GetSecret(name).Value.Value;
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or Azure.Identity.AuthenticationFailedException or InvalidOperationException)
        {
            // The message names the vault and the failure, never a secret's value.
            throw new InvalidOperationException($"Sendarix:KeyVault: the secrets of {client.VaultUri} could not be read: {ex.Message}", ex);
        }

        Data = data;
    }
}
