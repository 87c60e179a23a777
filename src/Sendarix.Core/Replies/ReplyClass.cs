namespace Sendarix.Core.Replies;

public enum ReplyClass
{
    Success,
    Temporary,
    Permanent,
}
