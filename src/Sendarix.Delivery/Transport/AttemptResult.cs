using Sendarix.Core.Replies;

namespace Sendarix.Delivery.Transport;

/// <summary>
/// The outcome of one attempt to hand a message to a destination: either a reply for each recipient from the host
/// that took the transaction, or a failure to get that far with any host (<see cref="Unreachable"/>).
/// </summary>
/// <remarks><see cref="RemoteHost"/> is the host that took the transaction, or the last one tried.</remarks>
public sealed record AttemptResult(string? RemoteHost, IReadOnlyDictionary<string, SmtpReply> Replies, SmtpReply? Unreachable);
