using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Core.Ids;
using Sendarix.Storage.Messages;

namespace Sendarix.Api.Messages;

public static class MessagesApi
{
    const int DefaultPageSize = 50;
    const int MaxPageSize = 500;

    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/messages/{messageId}", GetAsync).WithTags("Messages").WithName("GetMessage")
            .WithSummary("Gets a message: each recipient's status and the message's event history.");
        v1.MapGet("/tenants/{tenantId}/messages/{messageId}", GetForTenantAsync).WithTags("Messages").WithName("GetTenantMessage")
            .WithSummary("Gets one of a tenant's messages.");
        v1.MapGet("/tenants/{tenantId}/messages", ListAsync).WithTags("Messages").WithName("ListMessages")
            .WithSummary("Lists a tenant's messages, newest first. Pass 'next' from a page as 'continuation' for the one after.");
        return v1;
    }

    static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> GetAsync(string messageId, MessageLedger ledger, CancellationToken cancellationToken)
    {
        var message = MessageId.TryParse(messageId, out var id) ? await ledger.GetAsync(id, cancellationToken) : null;
        return message is null ? TypedResultsProblem.NotFound($"Message '{messageId}'") : TypedResults.Ok(MessageResponse.Of(message, withEvents: true));
    }

    static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> GetForTenantAsync(string tenantId, string messageId, MessageLedger ledger, CancellationToken cancellationToken)
    {
        // The id names its tenant; a tenant's path never reaches another tenant's partition.
        var message = MessageId.TryParse(messageId, out var id) && id.TenantId == tenantId ? await ledger.GetAsync(id, cancellationToken) : null;
        return message is null ? TypedResultsProblem.NotFound($"Message '{messageId}' of tenant '{tenantId}'") : TypedResults.Ok(MessageResponse.Of(message, withEvents: true));
    }

    static async Task<Results<Ok<MessagePage>, ProblemHttpResult, ValidationProblem>> ListAsync(
        string tenantId, int? pageSize, string? continuation, MessageLedger ledger, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["pageSize"] = [$"Between 1 and {MaxPageSize}."] });
        }

        if (continuation is not null && !MessageId.TryParse($"{tenantId}-{continuation}", out _))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["continuation"] = ["Pass the 'next' value of the previous page."] });
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var (items, next) = await ledger.ListAsync(tenantId, pageSize ?? DefaultPageSize, continuation, cancellationToken);
        return TypedResults.Ok(new MessagePage(items.Select(m => MessageResponse.Of(m, withEvents: false)).ToList(), next));
    }
}
