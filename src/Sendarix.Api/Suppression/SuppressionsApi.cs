using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Suppression;
using Sendarix.Core.Addressing;

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
        return v1;
    }

    internal static async Task<Results<Ok<SuppressionPage>, ProblemHttpResult, ValidationProblem>> ListAsync(
        string tenantId, string? search, int? limit, string? next, IGrainFactory grains)
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

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var size = limit ?? 100;
        var items = await grains.GetGrain<ISuppressionGrain>(tenantId).ListAsync(search, next, size + 1);
        return TypedResults.Ok(new SuppressionPage(items.Take(size).ToList(), items.Count > size ? items[size - 1].Address : null));
    }

    internal static async Task<Results<Created<SuppressedRecipient>, ProblemHttpResult, ValidationProblem>> AddAsync(string tenantId, AddSuppressionRequest request, IGrainFactory grains, TimeProvider time)
    {
        if (!EmailAddress.TryParse(request.Address?.Trim(), out var address))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["address"] = ["An e-mail address is required."] });
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var entry = new SuppressedRecipient(Canonical(address), "manual", time.GetUtcNow(), null);
        await grains.GetGrain<ISuppressionGrain>(tenantId).AddAsync([entry]);
        return TypedResults.Created($"/v1/tenants/{tenantId}/suppressions/{Uri.EscapeDataString(entry.Address)}", entry);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string tenantId, string address, IGrainFactory grains) =>
        await TenantsApi.FindAsync(grains, tenantId) is not null
        && await grains.GetGrain<ISuppressionGrain>(tenantId).RemoveAsync(EmailAddress.TryParse(address, out var parsed) ? Canonical(parsed) : address)
            ? TypedResults.NoContent()
            : TypedResultsProblem.NotFound($"Suppression of '{address}' for tenant '{tenantId}'");

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
