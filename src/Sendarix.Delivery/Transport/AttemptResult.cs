using Sendarix.Core.Replies;

namespace Sendarix.Delivery.Transport;

/// <summary>
/// The outcome of one attempt to hand a message to a destination: either a reply for each recipient from the host
/// that took the transaction, or a failure to get that far with any host (<see cref="Unreachable"/>).
/// </summary>
/// <remarks>
/// <see cref="RemoteHost"/> is the host that took the transaction, or the last one tried. <see cref="HeldBack"/> says
/// why the relay's own limits kept the message from being tried at all (no destination was at fault).
/// </remarks>
public sealed record AttemptResult(string? RemoteHost, IReadOnlyDictionary<string, SmtpReply> Replies, SmtpReply? Unreachable, string? HeldBack = null);
