using System.Security.Cryptography;
using DnsClient;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Sendarix.Contracts.Domains;
using Sendarix.Core;
using Sendarix.Core.Crypto;
using Sendarix.Core.Domains;
using Sendarix.Network.Dns;

namespace Sendarix.Grains.Domains;

/// <summary>
/// A sender domain: its owner, its DKIM key and its DNS verification. The key is made when a tenant claims the
/// domain (RSA 2048) and its private half is stored only encrypted. Verification looks up the DKIM, SPF and DMARC
/// records; the domain is verified when the DKIM record carries its public key. A reminder re-checks it
/// periodically, so a record removed later is noticed.
/// </summary>
public sealed partial class DomainGrain(
    [PersistentState("domain", GrainStorage.Default)] IPersistentState<DomainState> state,
    DnsLookup dns,
    IOptions<DomainOptions> options,
    TimeProvider time,
    ILogger<DomainGrain> logger) : Grain, IDomainGrain, IRemindable
{
    public const string Pending = "pending";
    public const string Verified = "verified";
    public const string Failed = "failed";

    const string RecheckReminder = "recheck";

    string Domain => this.GetPrimaryKeyString();

    public async Task<DomainClaim> ClaimAsync(string tenantId, bool ed25519)
    {
        if (state.State.TenantId is { } owner)
        {
            return owner == tenantId ? new DomainClaim(Info(), false) : new DomainClaim(null, true);
        }

        state.State.TenantId = tenantId;
        state.State.CreatedAt = time.GetUtcNow();
        (state.State.Selector, state.State.PublicKey, state.State.ProtectedPrivateKey) = NewKey();
        if (ed25519)
        {
            (state.State.Ed25519Selector, state.State.Ed25519PublicKey, state.State.Ed25519ProtectedPrivateKey) = NewEd25519Key();
        }

        state.State.Records = Expected().Select(r => r with { Status = Status(RecordStatus.Unchecked) }).ToList();
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(RecheckReminder, options.Value.RecheckInterval, options.Value.RecheckInterval);
        return new DomainClaim(Info(), false);
    }

    public Task<DomainInfo?> GetAsync() => Task.FromResult(Info());

    public async Task<DomainInfo?> RotateAsync(string tenantId)
    {
        if (state.State.TenantId != tenantId)
        {
            return null;
        }

        if (state.State.NextSelector is null)
        {
            var (selector, publicKey, privateKey) = NewKey();
            (state.State.NextSelector, state.State.NextPublicKey, state.State.NextProtectedPrivateKey) = (selector, publicKey, privateKey);
            state.State.Records = [.. state.State.Records.Where(r => r.Kind != "dkim-next"), Expected().Single(r => r.Kind == "dkim-next")];
            await state.WriteStateAsync();
        }

        return Info();
    }

    (string Selector, string PublicKey, byte[] ProtectedPrivateKey) NewEd25519Key()
    {
        // .NET has no Ed25519; BouncyCastle (which MimeKit signs with) makes the key.
        var generator = new Org.BouncyCastle.Crypto.Generators.Ed25519KeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.Ed25519KeyGenerationParameters(new Org.BouncyCastle.Security.SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var selector = $"sx{time.GetUtcNow():yyyyMM}{Base32.Encode(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}e";
        var publicKey = ((Org.BouncyCastle.Crypto.Parameters.Ed25519PublicKeyParameters)pair.Public).GetEncoded();
        var privateKey = ((Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters)pair.Private).GetEncoded();
        return (selector, Convert.ToBase64String(publicKey), new KeyProtector(options.Value.KeyEncryptionKeyBytes()).Protect(privateKey));
    }

    (string Selector, string PublicKey, byte[] ProtectedPrivateKey) NewKey()
    {
        using var key = RSA.Create(2048);
        var selector = $"sx{time.GetUtcNow():yyyyMM}{Base32.Encode(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";
        var protector = new KeyProtector(options.Value.KeyEncryptionKeyBytes());
        return (selector, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), protector.Protect(key.ExportPkcs8PrivateKey()));
    }

    public async Task<DomainInfo?> VerifyAsync()
    {
        if (state.State.TenantId is null)
        {
            return null;
        }

        var records = new List<DomainRecord>();
        foreach (var expected in Expected())
        {
            IReadOnlyList<string> found;
            RecordStatus status;
            try
            {
                found = await dns.TxtAsync(expected.Name, CancellationToken.None);
                status = expected.Kind switch
                {
                    "dkim" => DomainRecords.CheckDkim(found, state.State.PublicKey),
                    "dkim-next" => DomainRecords.CheckDkim(found, state.State.NextPublicKey!),
                    "dkim-ed25519" => DomainRecords.CheckDkim(found, state.State.Ed25519PublicKey!),
                    "spf" => DomainRecords.CheckSpf(found, options.Value.SpfInclude),
                    _ => DomainRecords.CheckDmarc(found),
                };
            }
            catch (DnsResponseException ex)
            {
                // A failed lookup proves nothing either way: keep what the last lookup found.
                LogLookupFailed(logger, expected.Name, ex.Message);
                records.Add(state.State.Records.FirstOrDefault(r => r.Kind == expected.Kind) ?? expected);
                continue;
            }

            records.Add(expected with { Status = Status(status), Found = found });
        }

        if (records.FirstOrDefault(r => r.Kind == "dkim-next") is { } next && next.Status == Status(RecordStatus.Found))
        {
            // The new key is published: sign with it from now on; the old selector is retired.
            state.State.RetiredSelectors.Add(state.State.Selector);
            (state.State.Selector, state.State.PublicKey, state.State.ProtectedPrivateKey) =
                (state.State.NextSelector!, state.State.NextPublicKey!, state.State.NextProtectedPrivateKey!);
            (state.State.NextSelector, state.State.NextPublicKey, state.State.NextProtectedPrivateKey) = (null, null, null);
            records = [next with { Kind = "dkim" }, .. records.Where(r => r.Kind is not ("dkim" or "dkim-next"))];
            LogRotated(logger, Domain, state.State.Selector);
        }

        var now = time.GetUtcNow();
        var dkimFound = records.Single(r => r.Kind == "dkim").Status == Status(RecordStatus.Found);
        var previous = state.State.Status;
        state.State.Status = dkimFound ? Verified : state.State.VerifiedAt is null ? Pending : Failed;
        state.State.VerifiedAt = dkimFound ? state.State.VerifiedAt ?? now : state.State.VerifiedAt;
        state.State.LastCheckedAt = now;
        state.State.Records = records;
        await state.WriteStateAsync();
        if (previous != state.State.Status)
        {
            LogStatusChanged(logger, Domain, previous, state.State.Status);
        }

        return Info();
    }

    public Task<DkimKey?> GetSigningKeyAsync(string tenantId)
    {
        if (state.State.TenantId != tenantId || state.State.Status != Verified)
        {
            return Task.FromResult<DkimKey?>(null);
        }

        var protector = new KeyProtector(options.Value.KeyEncryptionKeyBytes());
        var ed25519 = state.State.Ed25519ProtectedPrivateKey is { } edKey && state.State.Records.Any(r => r.Kind == "dkim-ed25519" && r.Status == Status(RecordStatus.Found))
            ? protector.Unprotect(edKey) : null;
        return Task.FromResult<DkimKey?>(new DkimKey(Domain, state.State.Selector, protector.Unprotect(state.State.ProtectedPrivateKey),
            ed25519 is null ? null : state.State.Ed25519Selector, ed25519));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RecheckReminder)
        {
            await VerifyAsync();
        }
    }

    IEnumerable<DomainRecord> Expected()
    {
        yield return new DomainRecord("dkim", DomainRecords.DkimName(state.State.Selector, Domain), DomainRecords.DkimValue(state.State.PublicKey), Status(RecordStatus.Unchecked), []);
        if (state.State.NextSelector is { } nextSelector)
        {
            yield return new DomainRecord("dkim-next", DomainRecords.DkimName(nextSelector, Domain), DomainRecords.DkimValue(state.State.NextPublicKey!), Status(RecordStatus.Unchecked), []);
        }

        if (state.State.Ed25519Selector is { } edSelector)
        {
            yield return new DomainRecord("dkim-ed25519", DomainRecords.DkimName(edSelector, Domain),
                DomainRecords.DkimValue(state.State.Ed25519PublicKey!, "ed25519"), Status(RecordStatus.Unchecked), []);
        }

        yield return new DomainRecord("spf", Domain, DomainRecords.SpfValue(options.Value.SpfInclude), Status(RecordStatus.Unchecked), []);
        yield return new DomainRecord("dmarc", DomainRecords.DmarcName(Domain), DomainRecords.DmarcValue(Domain), Status(RecordStatus.Unchecked), []);
    }

    static string Status(RecordStatus status) => status.ToString().ToLowerInvariant();

    DomainInfo? Info() => state.State.TenantId is not { } tenant ? null : new DomainInfo(
        Domain, tenant, state.State.Status, state.State.Selector, state.State.CreatedAt, state.State.VerifiedAt, state.State.LastCheckedAt, state.State.Records.ToList(),
        state.State.NextSelector);

    [LoggerMessage(EventId = 3101, EventName = "DomainLookupFailed", Level = LogLevel.Warning,
        Message = "DNS lookup of {Name} failed: {Reason}")]
    static partial void LogLookupFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 3103, EventName = "DkimKeyRotated", Level = LogLevel.Information,
        Message = "Sender domain {Domain} now signs with selector {Selector}")]
    static partial void LogRotated(ILogger logger, string domain, string selector);

    [LoggerMessage(EventId = 3102, EventName = "DomainStatusChanged", Level = LogLevel.Information,
        Message = "Sender domain {Domain}: {Previous} -> {Current}")]
    static partial void LogStatusChanged(ILogger logger, string domain, string previous, string current);
}
