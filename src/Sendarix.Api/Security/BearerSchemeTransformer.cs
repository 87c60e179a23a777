using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Sendarix.Api.Security;

/// <summary>Declares in the OpenAPI document that every call takes "Authorization: Bearer &lt;key&gt;" (the operator key or a tenant's API key).</summary>
internal sealed class BearerSchemeTransformer : IOpenApiDocumentTransformer
{
    public const string Scheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The operator key (Sendarix:Api:OperatorApiKey), or a tenant's API key (sxk_…) for that tenant's calls.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, document)] = [] }];
        return Task.CompletedTask;
    }
}
