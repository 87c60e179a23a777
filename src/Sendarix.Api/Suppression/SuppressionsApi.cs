using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Suppression;
using Sendarix.Core.Addressing;
using Sendarix.Core.Subtenants;

namespace Sendarix.Api.Suppression;

public static class SuppressionsApi
{
    const int MaxPage = 1000;
    const int MaxAddressLength = 254;

    public static RouteGroupBuilder MapSuppressionsApi(this RouteGroupBuilder v1)
    {
        var list = v1.MapGroup("/tenants/{tenantId}/suppressions").WithTags("Suppressions");
        list.MapGet("/", ListAsync).WithName("ListSuppressions")
            .WithSummary("The tenant's suppressed recipients in address order; 'search' filters by address prefix; pass a page's 'next' for the page after it.");
        list.MapPost("/", AddAsync).WithName("AddSuppression").WithSummary("Suppresses a recipient by hand.");
        list.MapDelete("/{address}", RemoveAsync).WithName("RemoveSuppression").WithSummary("Lets the tenant send to a recipient again.");
        list.MapGet("/export", ExportAsync).WithName("ExportSuppressions").WithSummary("The whole list as CSV: address, reason, createdAt, messageId.");
        var own = v1.MapGroup("/tenants/{tenantId}/subtenants/{subtenantId}/suppressions").WithTags("Suppressions");
        own.MapGet("/", ListOwnAsync).WithName("ListSubtenantSuppressions")
            .WithSummary("A sub-tenant's own suppressed recipients (when it keeps its own list), as the tenant's list pages.");
        own.MapPost("/", AddOwnAsync).WithName("AddSubtenantSuppression").WithSummary("Suppresses a recipient for the sub-tenant alone.");
        own.MapDelete("/{address}", RemoveOwnAsync).WithName("RemoveSubtenantSuppression").WithSummary("Lets the sub-tenant send to a recipient again.");
        return v1;
    }

    static async Task<Results<Ok<SuppressionPage>, ProblemHttpResult, ValidationProblem>> ListOwnAsync(
        string tenantId, string subtenantId, string? search, int? limit, string? next, IGrainFactory grains) =>
        await OwnListAsync(grains, tenantId, subtenantId) is { } list ? await PageAsync(list, search, limit, next, grains) : NoOwnList(tenantId, subtenantId);

    static async Task<Results<Created<SuppressedRecipient>, ProblemHttpResult, ValidationProblem>> AddOwnAsync(string tenantId, string subtenantId,
        AddSuppressionRequest request, IGrainFactory grains, TimeProvider time) =>
        await OwnListAsync(grains, tenantId, subtenantId) is { } list
            ? await AddToAsync(list, $"/v1/tenants/{tenantId}/subtenants/{subtenantId}/suppressions", request, grains, time)
            : NoOwnList(tenantId, subtenantId);

    static async Task<Results<NoContent, ProblemHttpResult>> RemoveOwnAsync(string tenantId, string subtenantId, string address, IGrainFactory grains) =>
        await OwnListAsync(grains, tenantId, subtenantId) is { } list && await RemoveFromAsync(list, address, grains)
            ? TypedResults.NoContent()
            : TypedResultsProblem.NotFound($"Suppression of '{address}' for sub-tenant '{subtenantId}' of tenant '{tenantId}'");

    /// <summary>The key of the sub-tenant's own list, or null when the tenant or sub-tenant is unknown or keeps no list of its own.</summary>
    static async Task<string?> OwnListAsync(IGrainFactory grains, string tenantId, string subtenantId) =>
        SubtenantRules.TryNormalize(subtenantId, out var id, out _) && await TenantsApi.FindAsync(grains, tenantId) is not null
        && await grains.GetGrain<ISubtenantGrain>(ISubtenantGrain.Key(tenantId, id)).GetAsync() is { OwnSuppressionList: true } subtenant
            ? subtenant.SuppressionList
            : null;

    static ProblemHttpResult NoOwnList(string tenantId, string subtenantId) =>
        TypedResultsProblem.NotFound($"A suppression list of sub-tenant '{subtenantId}' of tenant '{tenantId}' (it has none of its own: its mail uses the tenant's)");

    internal static async Task<Results<Ok<SuppressionPage>, ProblemHttpResult, ValidationProblem>> ListAsync(
        string tenantId, string? search, int? limit, string? next, IGrainFactory grains) =>
        await TenantsApi.FindAsync(grains, tenantId) is null ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'") : await PageAsync(tenantId, search, limit, next, grains);

    static async Task<Results<Ok<SuppressionPage>, ProblemHttpResult, ValidationProblem>> PageAsync(
        string list, string? search, int? limit, string? next, IGrainFactory grains)
    {
        // The cursor is an address, and the search part of one: at most 254 characters, a longer one finds nothing.
        var problems = Paging.Problems(limit, next, MaxPage, c => c.Length <= MaxAddressLength);
        if (search is { Length: > MaxAddressLength })
        {
            problems["search"] = [$"At most {MaxAddressLength} characters."];
        }

        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems);
        }

        var size = limit ?? 100;
        var items = await grains.GetGrain<ISuppressionGrain>(list).ListAsync(search, next, size + 1);
        return TypedResults.Ok(new SuppressionPage(items.Take(size).ToList(), items.Count > size ? items[size - 1].Address : null));
    }

    internal static async Task<Results<Created<SuppressedRecipient>, ProblemHttpResult, ValidationProblem>> AddAsync(string tenantId, AddSuppressionRequest request, IGrainFactory grains, TimeProvider time) =>
        await TenantsApi.FindAsync(grains, tenantId) is null
            ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'")
            : await AddToAsync(tenantId, $"/v1/tenants/{tenantId}/suppressions", request, grains, time);

    static async Task<Results<Created<SuppressedRecipient>, ProblemHttpResult, ValidationProblem>> AddToAsync(string list, string at, AddSuppressionRequest request,
        IGrainFactory grains, TimeProvider time)
    {
        if (!EmailAddress.TryParse(request.Address?.Trim(), out var address))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["address"] = ["An e-mail address is required."] });
        }

        var entry = new SuppressedRecipient(Canonical(address), "manual", time.GetUtcNow(), null);
        await grains.GetGrain<ISuppressionGrain>(list).AddAsync([entry]);
        return TypedResults.Created($"{at}/{Uri.EscapeDataString(entry.Address)}", entry);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string tenantId, string address, IGrainFactory grains) =>
        await TenantsApi.FindAsync(grains, tenantId) is not null && await RemoveFromAsync(tenantId, address, grains)
            ? TypedResults.NoContent()
            : TypedResultsProblem.NotFound($"Suppression of '{address}' for tenant '{tenantId}'");

    static async Task<bool> RemoveFromAsync(string list, string address, IGrainFactory grains) =>
        await grains.GetGrain<ISuppressionGrain>(list).RemoveAsync(EmailAddress.TryParse(address, out var parsed) ? Canonical(parsed) : address);

    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(string tenantId, IGrainFactory grains)
    {
        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var csv = new StringBuilder("address,reason,createdAt,messageId\r\n");
        var grain = grains.GetGrain<ISuppressionGrain>(tenantId);
        string? after = null;
        while (await grain.ListAsync(null, after, MaxPage) is { Count: > 0 } page)
        {
            foreach (var e in page)
            {
                csv.Append(Csv(e.Address)).Append(',').Append(e.Reason).Append(',').Append(e.CreatedAt.ToString("O")).Append(',').Append(e.MessageId).Append("\r\n");
            }

            after = page[^1].Address;
        }

        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", $"{tenantId}-suppressions.csv");
    }

    // Recipients reach delivery with their domain in its A-label form (the relay offers no SMTPUTF8): keep them so.
    static string Canonical(EmailAddress address) =>
        DomainName.TryToAscii(address.Domain, out var domain) ? $"{address.LocalPart}@{domain}" : address.ToString();

    // Quoted local parts may hold commas and quotes: quote every address, doubling inner quotes (RFC 4180).
    static string Csv(string value) => $"\"{value.Replace("\"", "\"\"")}\"";
}

public sealed record AddSuppressionRequest(string? Address);

public sealed record SuppressionPage(IReadOnlyList<SuppressedRecipient> Items, string? Next);
