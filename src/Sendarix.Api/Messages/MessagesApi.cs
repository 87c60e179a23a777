using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Core.Ids;
using Sendarix.Storage.Tenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Search;

namespace Sendarix.Api.Messages;

public static class MessagesApi
{
    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/messages/{messageId}", GetAsync).WithTags("Messages").WithName("GetMessage")
            .WithSummary("Gets a message: each recipient's status and the message's event history.");
        v1.MapGet("/tenants/{tenantId}/messages/{messageId}", GetForTenantAsync).WithTags("Messages").WithName("GetTenantMessage")
            .WithSummary("Gets one of a tenant's messages.");
        v1.MapGet("/tenants/{tenantId}/messages", SearchAsync).WithTags("Messages").WithName("SearchMessages")
            .WithSummary("Finds a tenant's messages, newest first: every filter given must hold. Pass a page's 'next' for the page after it.");
        v1.MapGet("/messages", SearchAllAsync).WithTags("Messages").WithName("SearchAllMessages").RequireOperator()
            .WithSummary("Finds messages across tenants (or of one, with 'tenantId'), newest first, with the same filters.");
        return v1;
    }

    static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> GetAsync(string messageId, MessageLedger ledger, CancellationToken cancellationToken)
    {
        var message = MessageId.TryParse(messageId, out var id) ? await ledger.GetAsync(id, cancellationToken) : null;
        return message is null ? TypedResultsProblem.NotFound($"Message '{messageId}'") : TypedResults.Ok(MessageResponse.Of(message, withEvents: true));
    }

    internal static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> GetForTenantAsync(string tenantId, string messageId, MessageLedger ledger, CancellationToken cancellationToken)
    {
        // The id names its tenant; a tenant's path never reaches another tenant's partition.
        var message = MessageId.TryParse(messageId, out var id) && id.TenantId == tenantId ? await ledger.GetAsync(id, cancellationToken) : null;
        return message is null ? TypedResultsProblem.NotFound($"Message '{messageId}' of tenant '{tenantId}'") : TypedResults.Ok(MessageResponse.Of(message, withEvents: true));
    }

    internal static async Task<Results<Ok<MessagePage>, ProblemHttpResult, ValidationProblem>> SearchAsync(
        string tenantId, [AsParameters] MessageSearchParameters search, MessageSearch messages, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (search.Problems() is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        if (!messages.Enabled)
        {
            return TypedResultsProblem.SearchOff();
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var page = await messages.SearchAsync(tenantId, search.Query(), search.Limit ?? Paging.DefaultLimit, search.Next, cancellationToken);
        return TypedResults.Ok(MessagePage.Of(page));
    }

    static async Task<Results<Ok<MessagePage>, ValidationProblem, ProblemHttpResult>> SearchAllAsync(
        string? tenantId, [AsParameters] MessageSearchParameters search, MessageSearch messages, TenantDirectory directory, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string[]>(search.Problems());
        if (tenantId is not null && !TenantIds.IsValid(tenantId))
        {
            problems["tenantId"] = ["Not a tenant id."];
        }

        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems);
        }

        if (!messages.Enabled)
        {
            return TypedResultsProblem.SearchOff();
        }

        var tenants = tenantId is not null
            ? [tenantId]
            : await directory.AllAsync(cancellationToken).ToListAsync(cancellationToken);
        var page = await messages.SearchAllAsync(tenants, search.Query(), search.Limit ?? Paging.DefaultLimit, search.Next, cancellationToken);
        return TypedResults.Ok(MessagePage.Of(page));
    }
}
