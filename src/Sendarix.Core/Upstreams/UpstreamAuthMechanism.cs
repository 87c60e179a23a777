namespace Sendarix.Core.Upstreams;

/// <summary>How the relay logs in to an upstream smarthost.</summary>
public enum UpstreamAuthMechanism
{
    /// <summary>No login: the upstream trusts the relay's address (Google Workspace's IP-based relay rule).</summary>
    None,

    /// <summary>AUTH PLAIN with a username and password (or API key).</summary>
    Plain,

    /// <summary>AUTH LOGIN with a username and password.</summary>
    Login,

    /// <summary>
    /// AUTH XOAUTH2 with an access token the relay gets itself with the OAuth 2.0 client-credentials grant (Office 365's
    /// app-only SMTP.SendAsApp): the client secret is the route's secret, the username the mailbox sent as.
    /// </summary>
    XOAuth2,
}
