namespace Sendarix.Grains.Api;

[GenerateSerializer, Alias("Sendarix.IdempotencyState")]
public sealed class IdempotencyState
{
    [Id(0)] public string? Fingerprint { get; set; }

    [Id(1)] public DateTimeOffset CompletedAt { get; set; }

    [Id(2)] public int StatusCode { get; set; }

    [Id(3)] public string? ContentType { get; set; }

    [Id(4)] public string? Location { get; set; }

    /// <summary>The body, encrypted: a create call's response may hold a secret shown once (a key, a signing secret).</summary>
    [Id(5)] public byte[]? ProtectedBody { get; set; }
}
