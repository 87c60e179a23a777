namespace Sendarix.Contracts.Api;

/// <summary>
/// One Idempotency-Key of one API caller, keyed by a hash of both (the key itself is never stored). The first
/// request with it runs and its response is kept for a day; a retry of the same request gets that response again,
/// a different request with the same key is refused, and one arriving while the first still runs is told to wait.
/// One activation in the cluster holds each key, so two nodes cannot both run the request.
/// </summary>
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>What to do with a request whose method, path and body hash to <paramref name="fingerprint"/>.</summary>
    Task<IdempotencyDecision> BeginAsync(string fingerprint);

    /// <summary>The response of the request that <see cref="BeginAsync"/> let run, kept to answer its retries.</summary>
    Task CompleteAsync(string fingerprint, IdempotentResponse response);

    /// <summary>The request let run ended with nothing worth keeping (a server error): a retry runs again.</summary>
    Task AbandonAsync(string fingerprint);
}

[GenerateSerializer, Alias("Sendarix.IdempotencyOutcome")]
public enum IdempotencyOutcome
{
    /// <summary>First use of the key: run the request.</summary>
    Run,

    /// <summary>The same request ran before: answer its response again.</summary>
    Replay,

    /// <summary>The same request is running now.</summary>
    InProgress,

    /// <summary>The key was used for a different request.</summary>
    Mismatch,
}

[GenerateSerializer, Immutable, Alias("Sendarix.IdempotencyDecision")]
public sealed record IdempotencyDecision([property: Id(0)] IdempotencyOutcome Outcome, [property: Id(1)] IdempotentResponse? Response = null);

/// <summary>A response as sent: status, the headers that matter to a client (type, location) and the body.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.IdempotentResponse")]
public sealed record IdempotentResponse(
    [property: Id(0)] int StatusCode,
    [property: Id(1)] string? ContentType,
    [property: Id(2)] string? Location,
    [property: Id(3)] byte[] Body);
