using Sendarix.Storage.Messages;

namespace Sendarix.Storage.Acceptance;

/// <summary>Makes an accepted message durable: body, delivery state and queued work. Returns only when all three are.</summary>
public interface IMessageAcceptor
{
    Task AcceptAsync(AcceptedMessage message, CancellationToken cancellationToken);
}
