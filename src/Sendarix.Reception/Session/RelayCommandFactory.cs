using SmtpServer.Protocol;

namespace Sendarix.Reception.Session;

internal sealed class RelayCommandFactory : SmtpCommandFactory
{
    public override SmtpCommand CreateEhlo(string domainOrAddress) => new RelayEhloCommand(domainOrAddress);
}
