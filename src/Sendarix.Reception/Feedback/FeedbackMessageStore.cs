using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Diagnostics;
using Sendarix.Contracts.Complaints;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Session;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sendarix.Reception.Feedback;

/// <summary>
/// The end of DATA on the feedback listener: the report goes to the complaint grain, and 250 is answered only once
/// the complaint is recorded. A report about no message relayed here is taken (250) and logged, as mail
/// providers' feedback loops expect; mail that is not a report at all is refused.
/// </summary>
internal sealed partial class FeedbackMessageStore(
    IGrainFactory grains,
    IOptions<SmtpOptions> options,
    TimeProvider time,
    ILogger<FeedbackMessageStore> logger) : IMessageStore
{
    // Anyone may send reports here: reports that match nothing are logged a line a minute, with their count.
    readonly RefusalTally _unmatched = new(time, TimeSpan.FromMinutes(1));

    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            if (GuardedDuplexPipe.Exceeded(context, buffer.Length, options.Value.MaxMessageSize))
            {
                return SmtpReplies.TooLarge;
            }

            var outcome = await grains.GetGrain<IComplaintGrain>(0).ReceiveAsync(buffer.ToArray());
            switch (outcome.Status)
            {
                case ComplaintStatus.Recorded:
                    LogRecorded(logger, outcome.MessageId!, outcome.FeedbackType!);
                    return SmtpReplies.ComplaintRecorded(outcome.MessageId!);
                case ComplaintStatus.MessageNotFound or ComplaintStatus.RecipientUnknown:
                    if (_unmatched.Count() is > 0 and var count)
                    {
                        LogUnmatched(logger, count, outcome.Detail!);
                    }

                    return SmtpReplies.ComplaintUnmatched(outcome.Detail!);
                default:
                    return SmtpReplies.NotAReport(outcome.Detail!);
            }
        }
        catch (Exception ex)
        {
            LogNotStored(logger, ex);
            return SmtpReplies.StorageUnavailable;
        }
    }

    [LoggerMessage(EventId = 1201, EventName = "ComplaintRecorded", Level = LogLevel.Information,
        Message = "Feedback report ({FeedbackType}) recorded as a complaint on {MessageId}")]
    static partial void LogRecorded(ILogger logger, string messageId, string feedbackType);

    [LoggerMessage(EventId = 1202, EventName = "ComplaintUnmatched", Level = LogLevel.Information,
        Message = "{Count} feedback report(s) taken but not acted on (latest: {Detail}); more are counted, not logged, for a minute")]
    static partial void LogUnmatched(ILogger logger, long count, string detail);

    [LoggerMessage(EventId = 1203, EventName = "ComplaintNotStored", Level = LogLevel.Warning,
        Message = "A feedback report could not be processed; the sender was told to try again later")]
    static partial void LogNotStored(ILogger logger, Exception exception);
}
