using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Sendarix.Core.Sandbox;
using Sendarix.Reception.Protocol;
using SmtpServer;
using SmtpServer.Protocol;

namespace Sendarix.Reception.Session;

/// <summary>
/// Acts out the sandbox's submission addresses (<see cref="SubmissionSimulator"/>) at RCPT and at the end of data:
/// the relay fails on purpose, before anything is stored, counted against the recipient limit or delivered.
/// </summary>
internal sealed class SubmissionSandbox(IConfiguration configuration, IOptions<SmtpOptions> options, TimeProvider time)
{
    readonly string _domain = configuration[MailboxSimulator.DomainSetting] ?? MailboxSimulator.DefaultDomain;

    /// <summary>The reply that refuses this recipient on purpose, or null for any other address.</summary>
    public SmtpResponse? AtRecipient(string address) => SubmissionSimulator.For(address, _domain) switch
    {
        SubmissionBehaviour.RefuseRecipient => SmtpReplies.SimulatedRecipientFailure,
        SubmissionBehaviour.TooManyRecipients => SmtpReplies.SimulatedTooManyRecipients,
        _ => null,
    };

    /// <summary>
    /// At the end of data: the reply that refuses the message on purpose (after the delay for a slow reply), or null
    /// to accept it as usual. For a dropped connection, the session's connection is closed and the reply never sent.
    /// </summary>
    public async Task<SmtpResponse?> AfterDataAsync(ISessionContext context, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        switch (SubmissionSimulator.AfterData(recipients, _domain))
        {
            case SubmissionBehaviour.RefuseAfterData:
                return SmtpReplies.SimulatedStorageFailure;

            case SubmissionBehaviour.DropAfterData:
                (context.Pipe as GuardedDuplexPipe)?.Dispose();
                return SmtpReplies.SimulatedStorageFailure;

            case SubmissionBehaviour.SlowReplyAfterData:
                await Task.Delay(options.Value.SandboxReplyDelay, time, cancellationToken);
                return SmtpReplies.SimulatedStorageFailure;

            default:
                return null;
        }
    }
}
