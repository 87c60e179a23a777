using SmtpServer.Protocol;

namespace Sendarix.Reception.Session;

/// <param name="offerAuth">False on the feedback listener, which takes reports without AUTH.</param>
internal sealed class RelayCommandFactory(bool offerAuth) : SmtpCommandFactory
{
    public override SmtpCommand CreateEhlo(string domainOrAddress) => new RelayEhloCommand(domainOrAddress, offerAuth);
}
