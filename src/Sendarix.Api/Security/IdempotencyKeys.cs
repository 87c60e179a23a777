using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sendarix.Contracts.Api;

namespace Sendarix.Api.Security;

/// <summary>
/// "Idempotency-Key" on a POST: a retried create call creates nothing twice. The first request with a key runs and its
/// response (status, Location, body) is kept for a day per caller and key; the same request again gets that response
/// with "Idempotent-Replayed: true"; the key with a different method, path or body is refused (422); the same request
/// while the first still runs gets 409 with Retry-After. Server errors are not kept: a retry runs again.
/// </summary>
internal sealed class IdempotencyKeys(RequestDelegate next, IGrainFactory grains)
{
    public const string Header = "Idempotency-Key";
    const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Headers.TryGetValue(Header, out var values)
            || http.GetEndpoint()?.Metadata.GetMetadata<AcceptsIdempotencyKey>() is null || ApiCaller.Of(http.User) is not { } caller)
        {
            await next(http);
            return;
        }

        if (values.Count != 1 || values[0] is not { Length: > 0 and <= MaxKeyLength } key || key.AsSpan().ContainsAnyExceptInRange((char)0x21, (char)0x7E))
        {
            await TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [Header] = [$"One key of 1 to {MaxKeyLength} visible ASCII characters (a UUID, say)."],
            }).ExecuteAsync(http);
            return;
        }

        // Keyed by a hash of caller and key: what a client chose never becomes a storage key, and callers never share keys.
        var grain = grains.GetGrain<IIdempotencyGrain>(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{caller.Id}\n{key}"))));
        string fingerprint;
        try
        {
            fingerprint = await FingerprintAsync(http.Request);
        }
        catch (BadHttpRequestException e)
        {
            // A body over the size limit, or cut short: refused as it would be without a key.
            await TypedResults.Problem(statusCode: e.StatusCode, title: "Request body not read", detail: e.Message).ExecuteAsync(http);
            return;
        }

        var decision = await grain.BeginAsync(fingerprint);
        switch (decision.Outcome)
        {
            case IdempotencyOutcome.Replay:
                await ReplayAsync(http, decision.Response!);
                return;
            case IdempotencyOutcome.InProgress:
                http.Response.Headers.RetryAfter = "1";
                await TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Request in progress",
                    detail: "A request with this Idempotency-Key is still running; retry it in a moment to get its response.").ExecuteAsync(http);
                return;
            case IdempotencyOutcome.Mismatch:
                await TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: "This Idempotency-Key was used for a different request; use a new key for a new request.").ExecuteAsync(http);
                return;
        }

        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        catch
        {
            await grain.AbandonAsync(fingerprint);
            throw;
        }
        finally
        {
            http.Response.Body = original;
        }

        if (http.Response.StatusCode is >= 500 or StatusCodes.Status429TooManyRequests)
        {
            await grain.AbandonAsync(fingerprint);
        }
        else
        {
            // Kept before it is sent: a client that saw the response can count on its retry seeing the same.
            await grain.CompleteAsync(fingerprint, new IdempotentResponse(http.Response.StatusCode, http.Response.ContentType,
                http.Response.Headers.Location is { Count: > 0 } location ? location.ToString() : null, buffer.ToArray()));
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    }

    static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static async Task ReplayAsync(HttpContext http, IdempotentResponse response)
    {
        http.Response.StatusCode = response.StatusCode;
        http.Response.ContentType = response.ContentType;
        if (response.Location is not null)
        {
            http.Response.Headers.Location = response.Location;
        }

        http.Response.Headers["Idempotent-Replayed"] = "true";
        await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
    }
}

/// <summary>Marks the calls whose POSTs take an <see cref="IdempotencyKeys.Header"/> (every /v1 call).</summary>
public sealed class AcceptsIdempotencyKey
{
    public static readonly AcceptsIdempotencyKey Instance = new();
}
