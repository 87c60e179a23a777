using System.ComponentModel.DataAnnotations;

namespace Sendarix.Reception;

/// <summary>The SMTP submission front-end. Section "Sendarix:Smtp".</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Sendarix:Smtp";

    /// <summary>Name in the greeting, EHLO reply and Received headers. Reveals no software or version.</summary>
    [Required]
    public string ServerName { get; set; } = "localhost";

    /// <summary>Address the listeners bind to.</summary>
    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Submission with STARTTLS (the port-587 role); 0 turns the listener off.</summary>
    [Range(0, 65535)]
    public int StartTlsPort { get; set; } = 2587;

    /// <summary>Submission over implicit TLS (the port-465 role); 0 turns the listener off.</summary>
    [Range(0, 65535)]
    public int ImplicitTlsPort { get; set; } = 2465;

    /// <summary>
    /// Inbound listener for feedback-loop reports (the port-25 role of the relay's feedback domain's MX); 0 turns it
    /// off. No AUTH: it takes mail only for <see cref="FeedbackAddresses"/> and relays nothing.
    /// </summary>
    [Range(0, 65535)]
    public int FeedbackPort { get; set; }

    /// <summary>Addresses that take ARF reports (e.g. "fbl@feedback.example.com"); what the providers' feedback loops are given.</summary>
    public string[] FeedbackAddresses { get; set; } = [];

    /// <summary>
    /// Server certificate: a .pfx/.p12 file, or a PEM certificate (with <see cref="CertificateKeyPath"/> for its key).
    /// Empty: a self-signed certificate is generated on first run at <see cref="DevelopmentCertificatePath"/> and kept.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>
    /// The certificate itself, as a Key Vault certificate's secret holds it: the Base64 of a PFX, or PEM text with the
    /// certificate and its private key. Instead of <see cref="CertificatePath"/>; filled from the vault at start when
    /// <see cref="CertificateKeyVaultName"/> is set (or by a Key Vault reference in the platform's settings).
    /// </summary>
    public string? Certificate { get; set; }

    /// <summary>The name of a certificate in the vault of "Sendarix:KeyVault:Uri", read at start into <see cref="Certificate"/>.</summary>
    public string? CertificateKeyVaultName { get; set; }

    /// <summary>Password of the PFX file, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>PEM private key file, when the certificate is PEM and the key is not in the same file.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>Where the generated development certificate is kept.</summary>
    [Required]
    public string DevelopmentCertificatePath { get; set; } = ".data/dev-certificate.pfx";

    /// <summary>Largest message accepted, in bytes; advertised as SIZE and enforced on DATA.</summary>
    [Range(1024, 157286400)]
    public int MaxMessageSize { get; set; } = 52428800;

    [Range(1, 1000)]
    public int MaxRecipients { get; set; } = 100;

    /// <summary>Open sessions on this front-end; past it a new connection gets 421 and is closed.</summary>
    [Range(1, 100000)]
    public int MaxConnections { get; set; } = 2000;

    /// <summary>Open sessions from one client address.</summary>
    [Range(1, 100000)]
    public int MaxConnectionsPerClient { get; set; } = 200;

    /// <summary>Longest command line, in bytes (RFC 5321 asks for 512; AUTH responses need more).</summary>
    [Range(512, 65536)]
    public int MaxCommandLineLength { get; set; } = 4096;

    /// <summary>How long a client may send nothing before the session is closed with 421.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time for the TLS handshake.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest session; clients that keep a connection open reconnect after it.</summary>
    public TimeSpan MaxSessionDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// On shutdown (SIGTERM), how long sessions may go on finishing the transaction they are in before the rest are
    /// cut. New connections and sessions between transactions get 421 4.3.2 at once. The host's own shutdown
    /// timeout is set beyond it.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The sandbox's port (0: none): every connection is greeted with <c>421 4.3.2</c> and closed, as by a relay that
    /// is down, so an application can test its failover. Nothing else listens there.
    /// </summary>
    public int SandboxPort { get; set; }

    /// <summary>
    /// How long the reply to a message for the sandbox's <c>submit-slow-data</c> address is held back: past the time-out
    /// of common clients (MailKit's is 2 minutes), so an application can see what its own time-out does.
    /// </summary>
    public TimeSpan SandboxReplyDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed AUTH attempts allowed in one session before it is closed.</summary>
    [Range(1, 100)]
    public int MaxAuthenticationAttempts { get; set; } = 3;

    /// <summary>
    /// Failed AUTH attempts allowed from one client address, or for one username, within <see cref="AuthFailureWindow"/>
    /// across all front-ends; past it AUTH from that source gets 454 for <see cref="AuthLockout"/>.
    /// </summary>
    [Range(1, 10000)]
    public int AuthFailureLimit { get; set; } = 10;

    public TimeSpan AuthFailureWindow { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan AuthLockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Errors in a row (unknown commands, refused recipients) before the session is closed.</summary>
    [Range(1, 1000)]
    public int MaxErrors { get; set; } = 20;

    /// <summary>
    /// How long a front-end trusts what it learned about a credential. Bounds how long a revoked credential keeps
    /// working on a front-end that had just used it.
    /// </summary>
    public TimeSpan CredentialCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!System.Net.IPAddress.TryParse(BindAddress, out _))
        {
            yield return new ValidationResult($"Sendarix:Smtp:BindAddress '{BindAddress}' is not an IP address.", [nameof(BindAddress)]);
        }

        if (StartTlsPort == 0 && ImplicitTlsPort == 0)
        {
            yield return new ValidationResult("Sendarix:Smtp: at least one of StartTlsPort and ImplicitTlsPort must be set.", [nameof(StartTlsPort)]);
        }

        if (StartTlsPort != 0 && StartTlsPort == ImplicitTlsPort)
        {
            yield return new ValidationResult("Sendarix:Smtp:StartTlsPort and ImplicitTlsPort must differ.", [nameof(ImplicitTlsPort)]);
        }

        if (SandboxPort != 0 && (SandboxPort == StartTlsPort || SandboxPort == ImplicitTlsPort || SandboxPort == FeedbackPort))
        {
            yield return new ValidationResult("Sendarix:Smtp:SandboxPort must differ from the submission and feedback ports.", [nameof(SandboxPort)]);
        }

        if (FeedbackPort != 0 && (FeedbackPort == StartTlsPort || FeedbackPort == ImplicitTlsPort))
        {
            yield return new ValidationResult("Sendarix:Smtp:FeedbackPort must differ from the submission ports.", [nameof(FeedbackPort)]);
        }

        if (FeedbackPort != 0 && (FeedbackAddresses.Length == 0 || FeedbackAddresses.Any(a => !Core.Addressing.EmailAddress.TryParse(a, out _))))
        {
            yield return new ValidationResult("Sendarix:Smtp:FeedbackAddresses must list at least one valid address when FeedbackPort is set.", [nameof(FeedbackAddresses)]);
        }

        if (AuthFailureWindow <= TimeSpan.Zero || AuthLockout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Sendarix:Smtp: AuthFailureWindow and AuthLockout must be positive.");
        }

        if (IdleTimeout < TimeSpan.FromSeconds(1) || TlsHandshakeTimeout < TimeSpan.FromSeconds(1) || MaxSessionDuration < TimeSpan.FromSeconds(10))
        {
            yield return new ValidationResult("Sendarix:Smtp: IdleTimeout and TlsHandshakeTimeout must be at least 1 s, MaxSessionDuration at least 10 s.");
        }

        if (DrainTimeout < TimeSpan.Zero || DrainTimeout > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult("Sendarix:Smtp:DrainTimeout must be from 0 to 10 minutes.", [nameof(DrainTimeout)]);
        }

        if (CertificatePath is not null && !File.Exists(CertificatePath))
        {
            yield return new ValidationResult($"Sendarix:Smtp:CertificatePath '{CertificatePath}' does not exist.", [nameof(CertificatePath)]);
        }

        if (!string.IsNullOrEmpty(Certificate) && !string.IsNullOrEmpty(CertificatePath))
        {
            yield return new ValidationResult("Sendarix:Smtp: set Certificate (or CertificateKeyVaultName) or CertificatePath, not both.", [nameof(Certificate)]);
        }

        if (CertificateKeyPath is not null && !File.Exists(CertificateKeyPath))
        {
            yield return new ValidationResult($"Sendarix:Smtp:CertificateKeyPath '{CertificateKeyPath}' does not exist.", [nameof(CertificateKeyPath)]);
        }
    }
}
