using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Sendarix.Api.Security;

/// <summary>Declares the optional Idempotency-Key header on every POST of the API.</summary>
internal sealed class IdempotencyKeyTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (string.Equals(context.Description.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase)
            && context.Description.ActionDescriptor.EndpointMetadata.OfType<AcceptsIdempotencyKey>().Any())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyKeys.Header,
                In = ParameterLocation.Header,
                Required = false,
                Description = "A key of your choosing (a UUID, say): a retry with the same key and request gets the first response again, "
                    + "with 'Idempotent-Replayed: true', instead of running twice. Kept for 24 hours per key.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
            });
        }

        return Task.CompletedTask;
    }
}
