using Sendarix.Core.Smtp;

namespace Sendarix.Reception.Protocol.Handlers;

/// <summary>
/// The library's mail transaction, as its replies show it: open from a MAIL command (at once, so that a drain lets a
/// pipelined transaction finish) until the reply that ends it, and how many recipients it has accepted.
/// </summary>
internal sealed class TransactionHandler : ICommandHandler
{
    volatile bool _open;
    int _recipients;

    /// <summary>True from a MAIL command until the reply that ends its transaction.</summary>
    public bool Open => _open;

    /// <summary>The recipients the library accepted in the current transaction.</summary>
    public int RecipientsAccepted => Volatile.Read(ref _recipients);

    public ValueTask<GuardState?> HandleAsync(GuardCommand command, IGuardLink link)
    {
        if (command.Verb == "MAIL")
        {
            _open = true;
        }

        return ValueTask.FromResult<GuardState?>(null);
    }

    /// <summary>Follows every reply the library writes, by the command it answers.</summary>
    public void OnReply(string verb, int code)
    {
        switch (verb)
        {
            case "MAIL":
                Volatile.Write(ref _recipients, 0);
                _open = code == 250;
                break;

            case "RCPT" when code is 250 or 251:
                Interlocked.Increment(ref _recipients);
                break;

            case "DATA" when code != 354:
            case GuardVerbs.EndOfData or "RSET" or "HELO" or "EHLO":
                _open = false;
                break;
        }
    }
}
