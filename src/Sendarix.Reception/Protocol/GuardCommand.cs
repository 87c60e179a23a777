namespace Sendarix.Reception.Protocol;

/// <summary>
/// One line on its way to the SMTP library: the command its reply answers, the line as the library gets it, and
/// what the handlers that passed it want done with that reply. Every line the library gets is queued as one of these,
/// and every reply it writes (a final one, or 334) is matched to the oldest: replies come in command order.
/// </summary>
internal sealed class GuardCommand(string verb, string line)
{
    Action<int>? _observers;

    /// <summary>The command, upper case ("MAIL", "AUTH" for a SASL response too), or a <see cref="Sendarix.Core.Smtp.GuardVerbs"/> marker.</summary>
    public string Verb { get; } = verb;

    /// <summary>The line the library gets; a handler may rewrite it before it is passed on.</summary>
    public string Line { get; set; } = line;

    /// <summary>When set, replaces the library's reply (code, line) as it is written; null from it: nothing is sent.</summary>
    public Func<int, string, string?>? Answer { get; init; }

    /// <summary>A client's command line, with its verb.</summary>
    public static GuardCommand Parse(string line)
    {
        var end = line.IndexOfAny([' ', ':']);
        return new GuardCommand((end < 0 ? line : line[..end]).ToUpperInvariant(), line);
    }

    /// <summary>Calls <paramref name="observer"/> with the code of this command's reply, before the reply is sent.</summary>
    public void WhenReplied(Action<int> observer) => _observers += observer;

    internal void Replied(int code) => _observers?.Invoke(code);
}
