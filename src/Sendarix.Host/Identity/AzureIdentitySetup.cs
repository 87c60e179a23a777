using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Sendarix.Host.Configuration;
using Sendarix.Reception;

namespace Sendarix.Host.Identity;

/// <summary>
/// The process's one Azure identity, and the Key Vault secrets it reads. In Azure the identity is the node's managed
/// identity (a user-assigned one is chosen by AZURE_CLIENT_ID): storage by service URI and the vault take tokens from
/// it, so no account key or secret has to be configured. Elsewhere it finds a developer's sign-in the usual ways.
/// </summary>
internal static class AzureIdentitySetup
{
    /// <summary>
    /// Makes the credential (also a service, for the storage clients) and, with Sendarix:KeyVault:Uri, adds the
    /// vault's secrets to configuration now, before any setting is bound; returns the credential.
    /// </summary>
    public static TokenCredential AddAzureIdentity(this WebApplicationBuilder builder)
    {
        // No network use until a token is asked for: a relay on connection strings never asks.
        var credential = new DefaultAzureCredential();
        builder.Services.AddSingleton<TokenCredential>(credential);

        if (!builder.Environment.IsDevelopment())
        {
            SecretsInFiles.Refuse(builder.Configuration);
        }

        var vault = SettingsValidation.Bind<KeyVaultOptions>(builder.Configuration, KeyVaultOptions.Section);
        var certificateName = builder.Configuration[$"{SmtpOptions.Section}:{nameof(SmtpOptions.CertificateKeyVaultName)}"];
        if (vault.Uri is null)
        {
            if (!string.IsNullOrEmpty(certificateName))
            {
                throw new InvalidOperationException("Sendarix:Smtp:CertificateKeyVaultName needs Sendarix:KeyVault:Uri.");
            }

            return credential;
        }

        var client = new SecretClient(vault.Uri, credential, new SecretClientOptions { DisableChallengeResourceVerification = vault.DisableChallengeResourceVerification });
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(certificateName))
        {
            // A Key Vault certificate's secret, of the same name, holds the certificate with its private key.
            named[certificateName] = $"{SmtpOptions.Section}:{nameof(SmtpOptions.Certificate)}";
        }

        ((IConfigurationBuilder)builder.Configuration).Add(new KeyVaultSecretsSource(client, named));
        return credential;
    }
}
