using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Held;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Core.Retry;
using Sendarix.Storage.Events;
using Sendarix.Storage.Held;
using Sendarix.Storage.Queue;

namespace Sendarix.Grains.Held;

/// <summary>
/// Takes a tenant's messages out of the hold, one at a time (a grain's turns never interleave, so a message is
/// released or deleted once). Each step records its recipients' events first, then does the step, then removes the
/// row: a crash in between leaves the row, and the step repeated records the same events (their ids are the same).
/// A reminder looks for expired messages while the tenant holds any.
/// </summary>
public sealed partial class HeldMailGrain(HeldMailStore held, WorkQueue queue, EventRecorder events, IOptions<RetryOptions> options, TimeProvider time,
    ILogger<HeldMailGrain> logger)
    : Grain, IHeldMailGrain, IRemindable
{
    const string ExpiryReminder = "expire-held";

    const int ExpiryBatch = 100;

    // Registered once: registering again would move its first tick on, and a tenant holding a message more often than
    // the check would never see one expire.
    public async Task WatchAsync()
    {
        if (await this.GetReminder(ExpiryReminder) is null)
        {
            var check = options.Value.HeldExpiryCheck;
            await this.RegisterOrUpdateReminder(ExpiryReminder, check, check);
        }
    }

    public async Task<bool> ReleaseAsync(string messageId)
    {
        if (await FindAsync(messageId) is not { } message)
        {
            return false;
        }

        var work = await RecordAsync(message.Work, EventType.Released, "250 2.0.0 Released from the spam hold");
        await queue.SendAsync([work with { Held = null }], CancellationToken.None);
        await held.RemoveAsync(MessageId.Parse(messageId), CancellationToken.None);
        LogLeft(logger, messageId, "released");
        return true;
    }

    public async Task<bool> DeleteAsync(string messageId)
    {
        if (await FindAsync(messageId) is not { } message)
        {
            return false;
        }

        await RecordAsync(message.Work, EventType.Failed, "554 5.7.1 Deleted while held as spam");
        await held.RemoveAsync(MessageId.Parse(messageId), CancellationToken.None);
        LogLeft(logger, messageId, "deleted");
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var tenantId = this.GetPrimaryKeyString();
        foreach (var message in await held.ExpiredAsync(tenantId, time.GetUtcNow(), ExpiryBatch, CancellationToken.None))
        {
            await RecordAsync(message.Work, EventType.Expired, "554 5.4.7 Expired while held as spam");
            await held.RemoveAsync(MessageId.Parse(message.Work.MessageId), CancellationToken.None);
            LogLeft(logger, message.Work.MessageId, "expired");
        }

        if (!await held.AnyAsync(tenantId, CancellationToken.None) && await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    async Task<HeldMessage?> FindAsync(string messageId) =>
        MessageId.TryParse(messageId, out var id) && id.TenantId == this.GetPrimaryKeyString() ? await held.GetAsync(id, CancellationToken.None) : null;

    /// <summary>Records the step for every recipient; the work returned has their sequences moved on, for what follows.</summary>
    async Task<DeliveryWorkItem> RecordAsync(DeliveryWorkItem work, EventType type, string reply)
    {
        var now = time.GetUtcNow();
        var context = WorkItemEvents.Context(work);
        var recipients = work.Recipients.Select(r => r with { Sequence = r.Sequence + 1 }).ToList();
        await events.RecordAsync([.. recipients.Select(r => WorkItemEvents.ForRecipient(work, context, r, type, r.Sequence, now, work.TraceParent) with { Reply = reply })],
            CancellationToken.None);
        return work with { Recipients = recipients };
    }

    [LoggerMessage(EventId = 3301, EventName = "HeldMessageLeft", Level = LogLevel.Information, Message = "Held message {MessageId} {How}")]
    static partial void LogLeft(ILogger logger, string messageId, string how);
}
