using Sendarix.Contracts.Credentials;

namespace Sendarix.Grains.Credentials;

[GenerateSerializer, Alias("Sendarix.CredentialState")]
public sealed class CredentialState
{
    [Id(0)] public CredentialRecord? Record { get; set; }
}
