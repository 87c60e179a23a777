using Sendarix.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Contracts.Destinations;
using Sendarix.Core.Addressing;

namespace Sendarix.Api.Destinations;

public static class DestinationsApi
{
    public static RouteGroupBuilder MapDestinationsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/destinations/{domain}", GetAsync).WithTags("Destinations").WithName("GetDestination")
            .WithSummary("A destination's back-off state and when its deferred recipients are next released.").RequireOperator();
        return v1;
    }

    static async Task<Results<Ok<DestinationStatus>, ValidationProblem>> GetAsync(string domain, IGrainFactory grains)
    {
        if (!DomainName.IsValid(domain))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["domain"] = ["Not a domain name."] });
        }

        return TypedResults.Ok(await grains.GetGrain<IDestinationGrain>(domain.ToLowerInvariant()).GetStatusAsync());
    }
}
