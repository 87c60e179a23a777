namespace Sendarix.Core.Replies;

/// <summary>A reply from a remote server, or the relay's own description of a failure to reach one.</summary>
public sealed record SmtpReply(int Code, string Text)
{
    public ReplyClass Class => ReplyClassifier.Classify(Code);

    public override string ToString() => Code == 0 ? Text : $"{Code} {Text}";

    /// <summary>A failure that produced no SMTP reply (refused connection, time-out, TLS failure): temporary.</summary>
    public static SmtpReply ConnectionFailure(string text) => new(0, text);
}
