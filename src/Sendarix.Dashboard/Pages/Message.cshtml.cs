using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sendarix.Api.Messages;
using Sendarix.Core.Ids;
using Sendarix.Storage.Messages;

namespace Sendarix.Dashboard.Pages;

/// <summary>One message: its recipients and every event, with the remote replies and the egress IP.</summary>
public sealed class MessageModel(MessageLedger ledger) : DashboardPage
{
    public MessageResponse? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(string messageId, CancellationToken cancellationToken)
    {
        // A tenant sees its own messages only; another tenant's id is not found, as in the API.
        var tenantId = Caller.TenantId ?? (MessageId.TryParse(messageId, out var id) ? id.TenantId : null);
        if (tenantId is null || (await MessagesApi.GetForTenantAsync(tenantId, messageId, ledger, cancellationToken)).Result is not Ok<MessageResponse> ok)
        {
            return NotFound();
        }

        Message = ok.Value;
        return Page();
    }
}
