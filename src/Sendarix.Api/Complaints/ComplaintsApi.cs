using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Contracts.Complaints;

namespace Sendarix.Api.Complaints;

public static class ComplaintsApi
{
    public static RouteGroupBuilder MapComplaintsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/complaints", ReceiveAsync).WithTags("Complaints").WithName("ReceiveComplaint")
            .WithSummary("Takes a feedback-loop report (ARF, RFC 5965) as the request body, finds the relayed message it is about, records a complained event and suppresses the recipient.")
            .Accepts<string>("message/rfc822", "multipart/report", "text/plain").RequireOperator();
        return v1;
    }

    static async Task<Results<Accepted<ComplaintResponse>, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            // A body over the server's limit, or cut short: the client's fault (413, 400), not the relay's.
            return TypedResults.Problem(statusCode: ex.StatusCode, title: "Unreadable body", detail: ex.Message);
        }

        var outcome = await grains.GetGrain<IComplaintGrain>(0).ReceiveAsync(body.ToArray());
        return outcome.Status switch
        {
            ComplaintStatus.Recorded => TypedResults.Accepted($"/v1/messages/{outcome.MessageId}",
                new ComplaintResponse(outcome.MessageId!, outcome.TenantId!, outcome.Recipient!, outcome.FeedbackType!)),
            ComplaintStatus.MessageNotFound => TypedResultsProblem.NotFound("The message the report is about"),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a feedback report", detail: outcome.Detail),
        };
    }
}

public sealed record ComplaintResponse(string MessageId, string TenantId, string Recipient, string FeedbackType);
