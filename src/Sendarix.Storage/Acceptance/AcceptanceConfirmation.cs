using Microsoft.Extensions.Options;
using Sendarix.Core.Ids;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage.Acceptance;

/// <summary>
/// Keeps a 451 true: work whose senders were told to retry is never delivered. The acceptor queues a batch's work
/// hidden for <see cref="AcceptanceOptions.UnconfirmedHold"/> and shows it as soon as its senders got 250. Work that
/// was never shown can only be received once the hold has passed; it may come from a batch that timed out while its
/// writes were still landing, whose senders got 451 and whose rows the acceptor has removed since. So such work is
/// delivered only for messages whose rows are still stored; work shown at once costs no read.
/// </summary>
public sealed class AcceptanceConfirmation(MessageLedger ledger, IOptions<AcceptanceOptions> options)
{
    /// <summary>The items of <paramref name="message"/> whose acceptance stands.</summary>
    public async Task<IReadOnlyList<DeliveryWorkItem>> ConfirmedAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        // Half the hold tells the two apart with room to spare: shown work is received within moments unless the
        // queue has a backlog, and then the check below only costs a read.
        if (message.Waited < options.Value.UnconfirmedHold / 2)
        {
            return message.Items;
        }

        var stands = await Task.WhenAll(message.Items.Select(item =>
            MessageId.TryParse(item.MessageId, out var id) ? ledger.ExistsAsync(id, cancellationToken) : Task.FromResult(false)));
        return message.Items.Where((_, i) => stands[i]).ToList();
    }
}
