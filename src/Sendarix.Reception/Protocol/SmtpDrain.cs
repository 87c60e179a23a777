namespace Sendarix.Reception.Protocol;

/// <summary>
/// A front-end's shutdown, shared by its listeners and sessions: once begun, new connections are answered 421 4.3.2
/// and closed, and each session ends at its first moment outside a mail transaction.
/// </summary>
public sealed class SmtpDrain
{
    readonly CancellationTokenSource _begun = new();

    public CancellationToken Begun => _begun.Token;

    public bool IsDraining => _begun.IsCancellationRequested;

    public void Begin() => _begun.Cancel();
}
