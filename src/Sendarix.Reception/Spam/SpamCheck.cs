using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Events;
using Sendarix.Core.Spam;
using Sendarix.Storage.Events;

namespace Sendarix.Reception.Spam;

/// <summary>The message being checked, as the end of data knows it.</summary>
internal sealed record SpamCandidate(TenantInfo Tenant, SubtenantInfo? Subtenant, string MessageId, string From, IReadOnlyList<string> Recipients, IPAddress? Client,
    string? Helo, string? MessageIdHeader, string? Subject);

/// <summary>
/// The spam check at the end of data, before the 250: the policy that applies (the sub-tenant's, else the tenant's,
/// else the relay's), the scan within its budget, and the decision. A refusal (rejected, or held) is counted in the
/// reputation window that pauses its sender, and a rejection is recorded as a <c>spam_rejected</c> event: nothing
/// else is stored of it. Those records never change the client's answer: if storage fails, the message is still refused.
/// </summary>
internal sealed partial class SpamCheck(RspamdScanner scanner, EventRecorder events, IGrainFactory grains, IOptions<SpamFilterOptions> options, TimeProvider time,
    ILogger<SpamCheck> logger)
{
    public SpamPolicy PolicyFor(TenantInfo tenant, SubtenantInfo? subtenant) => subtenant?.SpamFilter ?? tenant.SpamFilter ?? options.Value.DefaultPolicy;

    public async Task<(SpamDecision Decision, SpamVerdict Verdict)> CheckAsync(SpamPolicy policy, ReadOnlyMemory<byte> message, SpamCandidate candidate,
        CancellationToken cancellationToken)
    {
        var user = candidate.Subtenant is { } s ? ISubtenantGrain.Key(s.TenantId, s.Id) : candidate.Tenant.Id;
        var verdict = await scanner.ScanAsync(message, new ScanEnvelope(user, candidate.Client, candidate.Helo, candidate.From, candidate.Recipients, candidate.MessageId),
            cancellationToken);
        var decision = SpamRules.Decide(policy, verdict, options.Value.FailureMode);
        if (decision is SpamDecision.Reject or SpamDecision.Hold)
        {
            await RecordRefusalAsync(decision, verdict, candidate, user);
        }

        return (decision, verdict);
    }

    async Task RecordRefusalAsync(SpamDecision decision, SpamVerdict verdict, SpamCandidate candidate, string reputationKey)
    {
        try
        {
            if (decision == SpamDecision.Reject)
            {
                var now = time.GetUtcNow();
                var e = RelayEvent.ForTenant(candidate.Tenant.Id, EventType.SpamRejected, now, SpamRules.RefusalReason(verdict),
                    endpointId: null, subtenant: candidate.Subtenant?.Id) with
                {
                    // The id the message would have had: rspamd's history knows the scan by it (its Queue-Id).
                    Id = EventIds.ForTenant(candidate.Tenant.Id, EventType.SpamRejected, now, candidate.MessageId),
                    Message = new EventMessage(candidate.MessageId, candidate.From, candidate.MessageIdHeader, candidate.Subject, [],
                        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty),
                    Recipient = candidate.Recipients[0],
                    RemoteAddress = candidate.Client?.ToString(),
                    Spam = verdict,
                };
                await events.RecordAsync([e], CancellationToken.None);
            }

            await grains.GetGrain<ITenantReputationGrain>(reputationKey).RecordSpamAsync(1);
        }
        catch (Exception ex)
        {
            LogNotRecorded(logger, ex, candidate.MessageId);
        }
    }

    [LoggerMessage(EventId = 1121, EventName = "SpamRefusalNotRecorded", Level = LogLevel.Warning,
        Message = "A message refused as spam ({MessageId}) could not be recorded; it was refused all the same")]
    static partial void LogNotRecorded(ILogger logger, Exception exception, string messageId);
}
