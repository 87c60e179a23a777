using SmtpServer;
using SmtpServer.Protocol;

namespace Sendarix.Reception.Session;

/// <summary>
/// The EHLO reply: what a submission relay offers. DSN, whose parameters the guard takes; SMTPUTF8, whose UTF-8 domains
/// the guard writes as A-labels before the library (which reads domains as ASCII) sees them; CHUNKING, which the guard
/// takes in place of the library; ENHANCEDSTATUSCODES because every
/// reply carries one; AUTH only once TLS is up, with XOAUTH2 and OAUTHBEARER, which the guard also takes itself.
/// </summary>
internal sealed class RelayEhloCommand(string domainOrAddress, bool offerAuth) : EhloCommand(domainOrAddress)
{
    protected override string GetGreeting(ISessionContext context)
    {
        context.Properties[SessionKeys.HeloName] = DomainOrAddress;
        return context.ServerOptions.ServerName;
    }

    protected override IEnumerable<string> GetExtensions(ISessionContext context)
    {
        yield return "PIPELINING";
        yield return $"SIZE {context.ServerOptions.MaxMessageSizeOptions.Length}";
        yield return "8BITMIME";
        yield return "CHUNKING";
        yield return "DSN";
        yield return "SMTPUTF8";
        yield return "ENHANCEDSTATUSCODES";
        if (context.Pipe.IsSecure)
        {
            if (offerAuth)
            {
                yield return "AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER";
            }
        }
        else if (context.EndpointDefinition.CertificateFactory is not null)
        {
            yield return "STARTTLS";
        }
    }
}
