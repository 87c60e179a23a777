namespace Sendarix.Core.Replies;

/// <summary>
/// Maps a reply to what the relay does next. Only the reply class matters at this level: 2xx delivered,
/// 4xx and no reply at all (connection failures, time-outs) retried, 5xx bounced.
/// </summary>
public static class ReplyClassifier
{
    public static ReplyClass Classify(int code) => code switch
    {
        >= 200 and < 400 => ReplyClass.Success,
        >= 500 and < 600 => ReplyClass.Permanent,
        _ => ReplyClass.Temporary,
    };
}
