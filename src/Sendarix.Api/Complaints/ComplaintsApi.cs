using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using MimeKit;
using Sendarix.Api.Security;
using Sendarix.Contracts.Suppression;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Complaints;
using Sendarix.Core.Ids;
using Sendarix.Storage.Messages;

namespace Sendarix.Api.Complaints;

public static class ComplaintsApi
{
    public static RouteGroupBuilder MapComplaintsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/complaints", ReceiveAsync).WithTags("Complaints").WithName("ReceiveComplaint")
            .WithSummary("Takes a feedback-loop report (ARF, RFC 5965) as the request body, finds the relayed message it is about, records a complained event and suppresses the recipient.")
            .Accepts<string>("message/rfc822", "multipart/report", "text/plain");
        return v1;
    }

    static async Task<Results<Accepted<ComplaintResponse>, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, MessageLedger ledger, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        MimeMessage report;
        try
        {
            report = await MimeMessage.LoadAsync(request.Body, cancellationToken);
        }
        catch (FormatException)
        {
            return Invalid("The body is not a MIME message.");
        }

        var parts = report.BodyParts.ToList();
        var feedback = parts.OfType<MimePart>().FirstOrDefault(p => p.ContentType.IsMimeType("message", "feedback-report"));
        if (feedback is null)
        {
            return Invalid("The report has no message/feedback-report part (RFC 5965).");
        }

        var fields = await LoadHeadersAsync(feedback, cancellationToken);
        var original = parts.OfType<MessagePart>().FirstOrDefault()?.Message?.Headers
            ?? (parts.OfType<MimePart>().FirstOrDefault(p => p.ContentType.IsMimeType("text", "rfc822-headers")) is { } headersPart
                ? await LoadHeadersAsync(headersPart, cancellationToken) : null);
        if (original is null)
        {
            return Invalid("The report does not include the original message or its headers.");
        }

        var relayId = FeedbackReport.RelayMessageId(original.Where(h => h.Id == HeaderId.Received).Select(h => h.Value));
        var view = relayId is not null && MessageId.TryParse(relayId, out var id) ? await ledger.GetAsync(id, cancellationToken) : null;
        if (view is null)
        {
            return TypedResultsProblem.NotFound("The message the report is about");
        }

        var recipient = FeedbackReport.RecipientFromField(fields["Original-Rcpt-To"])
            ?? (InternetAddressList.TryParse(original[HeaderId.To] ?? "", out var to) ? to.Mailboxes.FirstOrDefault()?.Address : null);
        var index = view.Recipients.Select((r, i) => (r, i)).FirstOrDefault(x => string.Equals(x.r.Address, recipient, StringComparison.OrdinalIgnoreCase), (null!, -1)).Item2;
        if (index < 0 && view.Recipients.Count == 1)
        {
            index = 0;
        }

        if (index < 0)
        {
            return Invalid("The report does not say which recipient complained (no Original-Rcpt-To or To of this message).");
        }

        var complainer = view.Recipients[index];
        var feedbackType = fields["Feedback-Type"]?.Trim() ?? "abuse";
        var now = time.GetUtcNow();
        MessageId.TryParse(view.Id, out var messageId);
        await ledger.RecordAsync([new RecipientOutcome(messageId, index, complainer.Address, EventType.Complained, complainer.Attempts, $"feedback report: {feedbackType}", now, null, null)], cancellationToken);
        await grains.GetGrain<ISuppressionGrain>(view.TenantId).AddAsync([new SuppressedRecipient(complainer.Address, "complaint", now, view.Id)]);
        await grains.GetGrain<ITenantReputationGrain>(view.TenantId).RecordAsync(0, 0, 1);
        return TypedResults.Accepted($"/v1/messages/{view.Id}", new ComplaintResponse(view.Id, view.TenantId, complainer.Address, feedbackType));
    }

    static async Task<HeaderList> LoadHeadersAsync(MimePart part, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream();
        if (part.Content is not null)
        {
            await part.Content.DecodeToAsync(content, cancellationToken);
        }

        content.Position = 0;
        return await HeaderList.LoadAsync(ParserOptions.Default, content, cancellationToken);
    }

    static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a feedback report", detail: detail);
}

public sealed record ComplaintResponse(string MessageId, string TenantId, string Recipient, string FeedbackType);
