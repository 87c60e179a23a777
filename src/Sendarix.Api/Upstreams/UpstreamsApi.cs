using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Upstreams;
using Sendarix.Core.Addressing;
using Sendarix.Core.Routing;
using Sendarix.Core.Upstreams;

namespace Sendarix.Api.Upstreams;

/// <summary>
/// A tenant's routes through upstream smarthosts (its own SendGrid, SES or Office 365 account), and the presets they
/// start from. A route's secret is taken on PUT and never shown again.
/// </summary>
public static class UpstreamsApi
{
    const int MaxTextLength = 500;

    public static RouteGroupBuilder MapUpstreamsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/upstream-presets", ListPresets).WithTags("Upstreams").WithName("ListUpstreamPresets")
            .WithSummary("Lists the shipped upstream presets: host, port, TLS, login and the throttle each provider publishes.");
        var routes = v1.MapGroup("/tenants/{tenantId}/upstreams").WithTags("Upstreams");
        routes.MapGet("/", ListAsync).WithName("ListUpstreamRoutes").WithSummary("Lists the tenant's upstream routes, without secrets.");
        routes.MapGet("/{name}", GetAsync).WithName("GetUpstreamRoute").WithSummary("Gets one upstream route, without its secret.");
        routes.MapPut("/{name}", PutAsync).WithName("PutUpstreamRoute")
            .WithSummary("Creates or replaces an upstream route: a preset (with region for amazon-ses) or hosts, the login, and which sender domains it takes (none: all the tenant's mail). Left out on a change, the secret stays.");
        routes.MapDelete("/{name}", DeleteAsync).WithName("DeleteUpstreamRoute").WithSummary("Deletes an upstream route and its secret; its mail goes direct again.");
        return v1;
    }

    static Ok<UpstreamPresetResponse[]> ListPresets() => TypedResults.Ok(UpstreamPresets.All.Select(p => new UpstreamPresetResponse(
        p.Key, p.Name, p.Host, p.Port, "verify", MechanismName(p.Mechanism), p.Username, p.NeedsRegion,
        p.Profile.ConnectionsPerIp, p.Profile.MessagesPerConnection, p.Profile.MessagesPerMinutePerIp)).ToArray());

    static async Task<Results<Ok<UpstreamRouteResponse[]>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains)
    {
        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        return TypedResults.Ok((await grains.GetGrain<IUpstreamRoutesGrain>(tenantId).ListAsync()).Select(UpstreamRouteResponse.From).ToArray());
    }

    static async Task<Results<Ok<UpstreamRouteResponse>, ProblemHttpResult>> GetAsync(string tenantId, string name, IGrainFactory grains)
    {
        var route = await TenantsApi.FindAsync(grains, tenantId) is null ? null : await grains.GetGrain<IUpstreamRoutesGrain>(tenantId).GetAsync(name);
        return route is null ? NotFound(tenantId, name) : TypedResults.Ok(UpstreamRouteResponse.From(route));
    }

    static async Task<Results<Created<UpstreamRouteResponse>, Ok<UpstreamRouteResponse>, ProblemHttpResult, ValidationProblem>> PutAsync(
        string tenantId, string name, PutUpstreamRouteRequest? request, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        if (!UpstreamRouteRules.Name().IsMatch(name))
        {
            errors["name"] = ["Lower-case letters, digits and hyphens, up to 40 characters."];
        }

        var settings = Read(request ?? new PutUpstreamRouteRequest(), errors);
        if (errors.Count > 0 || settings is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var result = await grains.GetGrain<IUpstreamRoutesGrain>(tenantId).PutAsync(name, settings);
        if (result.Route is not { } route)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = [result.Problem ?? "Refused."] });
        }

        var response = UpstreamRouteResponse.From(route);
        return result.Created ? TypedResults.Created($"/v1/tenants/{tenantId}/upstreams/{name}", response) : TypedResults.Ok(response);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenantId, string name, IGrainFactory grains) =>
        await TenantsApi.FindAsync(grains, tenantId) is not null && await grains.GetGrain<IUpstreamRoutesGrain>(tenantId).DeleteAsync(name)
            ? TypedResults.NoContent()
            : NotFound(tenantId, name);

    /// <summary>The settings the request asks for, a preset's values filling what it leaves out; null with errors when it is not valid.</summary>
    static UpstreamRouteSettings? Read(PutUpstreamRouteRequest r, Dictionary<string, string[]> errors)
    {
        UpstreamPreset? preset = null;
        if (r.Preset is { } key && (preset = UpstreamPresets.Find(key)) is null)
        {
            errors["preset"] = [$"One of {string.Join(", ", UpstreamPresets.All.Select(p => p.Key))}."];
        }

        var hosts = new List<string>();
        if (r.Hosts is { Count: > 0 } given)
        {
            foreach (var h in given)
            {
                if (!HostPort.TryParse(h, out var hp) || hp.Host.Contains(' '))
                {
                    errors["hosts"] = ["Each host is written 'host' or 'host:port'."];
                    break;
                }

                hosts.Add(hp.ToString());
            }

            if (given.Count > 10)
            {
                errors["hosts"] = ["At most 10 hosts."];
            }
        }
        else if (preset is not null)
        {
            if (preset.Endpoint(r.Region) is { } endpoint)
            {
                hosts.Add(endpoint.ToString());
            }
            else
            {
                errors["region"] = [$"The {preset.Key} preset needs a region, such as us-east-1."];
            }
        }
        else
        {
            errors["hosts"] = ["Give a preset or the hosts to send to."];
        }

        var mechanism = r.Mechanism is null ? preset?.Mechanism ?? UpstreamAuthMechanism.Plain : ParseMechanism(r.Mechanism);
        if (mechanism is null)
        {
            errors["mechanism"] = ["One of none, plain, login, xoauth2."];
        }

        var tls = r.Tls is null ? TlsPolicy.Verify : Enum.TryParse<TlsPolicy>(r.Tls, ignoreCase: true, out var t) && Enum.IsDefined(t) ? t : (TlsPolicy?)null;
        if (tls is null)
        {
            errors["tls"] = ["One of required (STARTTLS, any certificate) or verify (STARTTLS, a certificate valid for the host; the default)."];
        }
        else if (tls == TlsPolicy.Opportunistic && mechanism != UpstreamAuthMechanism.None)
        {
            // A login is never sent where it could go in plaintext.
            errors["tls"] = ["A route that logs in needs TLS: required or verify."];
        }

        var username = Blank(r.Username) ?? preset?.Username;
        if (mechanism is UpstreamAuthMechanism.Plain or UpstreamAuthMechanism.Login or UpstreamAuthMechanism.XOAuth2 && username is null)
        {
            errors["username"] = [mechanism == UpstreamAuthMechanism.XOAuth2 ? "The mailbox to send as." : "The login's username."];
        }

        if (mechanism == UpstreamAuthMechanism.XOAuth2)
        {
            if (!Uri.TryCreate(r.TokenUrl, UriKind.Absolute, out var tokenUrl) || !(tokenUrl.Scheme == Uri.UriSchemeHttps || (tokenUrl.Scheme == Uri.UriSchemeHttp && tokenUrl.IsLoopback)))
            {
                errors["tokenUrl"] = ["The OAuth 2.0 token endpoint, https (for Office 365: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token)."];
            }

            if (Blank(r.ClientId) is null)
            {
                errors["clientId"] = ["The application (client) id."];
            }
        }

        var domains = new List<string>();
        foreach (var d in r.SenderDomains ?? [])
        {
            if (!DomainName.TryToAscii(d, out var ascii))
            {
                errors["senderDomains"] = [$"'{d}' is not a domain name."];
                break;
            }

            domains.Add(ascii);
        }

        if (domains.Count > UpstreamRouteRules.MaxSenderDomains)
        {
            errors["senderDomains"] = [$"At most {UpstreamRouteRules.MaxSenderDomains}."];
        }

        var profile = preset?.Profile ?? UpstreamPresets.CustomProfile;
        var change = new Core.Providers.ProviderProfileChange(r.Connections, r.MessagesPerConnection, r.MessagesPerMinute);
        foreach (var (field, min, max) in change.OutOfBounds())
        {
            errors[field switch { "ConnectionsPerIp" => "connections", "MessagesPerMinutePerIp" => "messagesPerMinute", _ => "messagesPerConnection" }] = [$"From {min} to {max}."];
        }

        foreach (var (field, value) in new[] { ("password", r.Password), ("description", r.Description), ("scope", r.Scope), ("clientId", r.ClientId), ("username", r.Username) })
        {
            if (value?.Length > MaxTextLength)
            {
                errors[field] = [$"At most {MaxTextLength} characters."];
            }
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var limits = profile.With(change);
        return new UpstreamRouteSettings(preset?.Key, Blank(r.Region), hosts, tls!.Value, mechanism!.Value, username, Blank(r.Password),
            mechanism == UpstreamAuthMechanism.XOAuth2 ? r.TokenUrl : null, mechanism == UpstreamAuthMechanism.XOAuth2 ? Blank(r.ClientId) : null,
            mechanism == UpstreamAuthMechanism.XOAuth2 ? Blank(r.Scope) ?? UpstreamPresets.Office365Scope : null,
            domains.Distinct(StringComparer.Ordinal).ToList(), r.FallbackToDirect == true,
            limits.ConnectionsPerIp, limits.MessagesPerConnection, limits.MessagesPerMinutePerIp, Blank(r.Description));
    }

    internal static string MechanismName(UpstreamAuthMechanism mechanism) => mechanism.ToString().ToLowerInvariant();

    static UpstreamAuthMechanism? ParseMechanism(string text) =>
        Enum.TryParse<UpstreamAuthMechanism>(text, ignoreCase: true, out var m) && Enum.IsDefined(m) && !int.TryParse(text, out _) ? m : null;

    static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    static ProblemHttpResult NotFound(string tenantId, string name) => TypedResultsProblem.NotFound($"Upstream route '{name}' of tenant '{tenantId}'");
}

public sealed record PutUpstreamRouteRequest(
    string? Preset = null,
    string? Region = null,
    IReadOnlyList<string>? Hosts = null,
    string? Tls = null,
    string? Mechanism = null,
    string? Username = null,
    string? Password = null,
    string? TokenUrl = null,
    string? ClientId = null,
    string? Scope = null,
    IReadOnlyList<string>? SenderDomains = null,
    bool? FallbackToDirect = null,
    int? Connections = null,
    int? MessagesPerConnection = null,
    int? MessagesPerMinute = null,
    string? Description = null);

public sealed record UpstreamPresetResponse(string Key, string Name, string Host, int Port, string Tls, string Mechanism, string? Username,
    bool NeedsRegion, int Connections, int MessagesPerConnection, int? MessagesPerMinute);

/// <summary>A route as shown: never the secret, only <see cref="HasPassword"/>.</summary>
public sealed record UpstreamRouteResponse(string Name, string? Preset, string? Region, IReadOnlyList<string> Hosts, string Tls, string Mechanism,
    string? Username, bool HasPassword, string? TokenUrl, string? ClientId, string? Scope, IReadOnlyList<string> SenderDomains, bool FallbackToDirect,
    int Connections, int MessagesPerConnection, int? MessagesPerMinute, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static UpstreamRouteResponse From(UpstreamRoute route)
    {
        var s = route.Settings;
        return new(route.Name, s.Preset, s.Region, s.Hosts, s.Tls.ToString().ToLowerInvariant(), UpstreamsApi.MechanismName(s.Mechanism), s.Username,
            route.HasSecret, s.TokenUrl, s.ClientId, s.Scope, s.SenderDomains, s.FallbackToDirect, s.Connections, s.MessagesPerConnection,
            s.MessagesPerMinute, s.Description, route.CreatedAt, route.UpdatedAt);
    }
}
