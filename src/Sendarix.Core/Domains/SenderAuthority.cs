namespace Sendarix.Core.Domains;

/// <summary>Who holds a sender domain: the tenant that claimed it, and whether its DKIM record verified.</summary>
public sealed record DomainHolder(string TenantId, bool Verified);

/// <summary>What one domain name tells about a sender: it decides, or the next parent must be asked.</summary>
public enum SenderVerdict
{
    Continue,
    Allowed,
    Refused,
}

/// <summary>
/// Whether a tenant may send as a domain. The nearest claimed name decides: the domain itself, then each parent
/// with at least two labels. A name held by another tenant refuses, whatever the tenant's settings, so neither the
/// operator's exemption nor the subdomain setting ever reaches into another tenant's domain. A name the tenant holds
/// and has verified allows (a parent only with the subdomain setting). With no claim deciding, only the exemption
/// allows.
/// </summary>
public static class SenderAuthority
{
    /// <summary>
    /// The names to ask, most specific first. Parents matter only with the exemption (another tenant's parent
    /// refuses) or the subdomain setting (the tenant's own verified parent allows).
    /// </summary>
    public static IEnumerable<string> Candidates(string domain, bool exempt, bool allowSubdomains)
    {
        var name = domain.TrimEnd('.').ToLowerInvariant();
        yield return name;
        if (!exempt && !allowSubdomains)
        {
            yield break;
        }

        for (var dot = name.IndexOf('.'); dot >= 0; dot = name.IndexOf('.'))
        {
            name = name[(dot + 1)..];
            if (!name.Contains('.'))
            {
                yield break;
            }

            yield return name;
        }
    }

    /// <summary>The verdict of one candidate name; <paramref name="exact"/> is true for the domain itself.</summary>
    public static SenderVerdict Judge(string tenantId, bool allowSubdomains, bool exact, DomainHolder? holder) => holder switch
    {
        null => SenderVerdict.Continue,
        _ when holder.TenantId != tenantId => SenderVerdict.Refused,
        { Verified: true } when exact || allowSubdomains => SenderVerdict.Allowed,
        // The tenant's own claim that has not verified proves nothing: a parent may still be another tenant's.
        _ => SenderVerdict.Continue,
    };

    /// <summary>Walks the candidates, asking <paramref name="holderOf"/> only as far as needed.</summary>
    public static async Task<bool> AllowsAsync(string tenantId, string domain, bool exempt, bool allowSubdomains, Func<string, Task<DomainHolder?>> holderOf)
    {
        var exact = true;
        foreach (var name in Candidates(domain, exempt, allowSubdomains))
        {
            switch (Judge(tenantId, allowSubdomains, exact, await holderOf(name)))
            {
                case SenderVerdict.Allowed:
                    return true;
                case SenderVerdict.Refused:
                    return false;
            }

            exact = false;
        }

        // No name decided: only the operator's exemption lets the tenant send unverified.
        return exempt;
    }
}
