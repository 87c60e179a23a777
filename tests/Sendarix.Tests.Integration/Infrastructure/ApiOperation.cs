using System.Text.Json;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>One operation of the relay's OpenAPI document: its method, route template, parameters and request body.</summary>
internal sealed record ApiOperation(
    HttpMethod Method,
    string Template,
    IReadOnlyList<string> PathParameters,
    IReadOnlyList<string> QueryParameters,
    IReadOnlyList<string> BodyContentTypes,
    IReadOnlyList<BodyField> JsonFields)
{
    public bool HasBody => BodyContentTypes.Count > 0;

    public bool HasJsonBody => BodyContentTypes.Contains("application/json");

    public override string ToString() => $"{Method} {Template}";

    /// <summary>Every operation of the document, read from its paths, parameters and (resolved) request body schemas.</summary>
    public static IReadOnlyList<ApiOperation> All(JsonElement document)
    {
        var schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s) ? s : default;
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var shared = Parameters(path.Value);
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                var parameters = shared.Concat(Parameters(method.Value)).ToList();
                var contentTypes = new List<string>();
                var fields = new List<BodyField>();
                if (method.Value.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var content))
                {
                    foreach (var type in content.EnumerateObject())
                    {
                        contentTypes.Add(type.Name);
                        if (type.Name == "application/json" && type.Value.TryGetProperty("schema", out var schema))
                        {
                            fields.AddRange(Fields(Resolve(schema, schemas), schemas));
                        }
                    }
                }

                operations.Add(new ApiOperation(new HttpMethod(method.Name.ToUpperInvariant()), path.Name,
                    parameters.Where(p => p.In == "path").Select(p => p.Name).ToList(),
                    parameters.Where(p => p.In == "query").Select(p => p.Name).ToList(),
                    contentTypes, fields));
            }
        }

        return operations;
    }

    static IEnumerable<(string Name, string In)> Parameters(JsonElement item) =>
        item.TryGetProperty("parameters", out var list)
            ? list.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!))
            : [];

    static IEnumerable<BodyField> Fields(JsonElement schema, JsonElement schemas) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Select(p => new BodyField(p.Name, TypeOf(Resolve(p.Value, schemas))))
            : [];

    // A reference to a component, or a nullable body ("oneOf": null or the type): the schema of the type itself.
    static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        if (schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } name && schemas.ValueKind == JsonValueKind.Object)
        {
            return Resolve(schemas.GetProperty(name[(name.LastIndexOf('/') + 1)..]), schemas);
        }

        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.TryGetProperty(combinator, out var options)
                && options.EnumerateArray().FirstOrDefault(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null")) is
                    { ValueKind: JsonValueKind.Object } option)
            {
                return Resolve(option, schemas);
            }
        }

        return schema;
    }

    // "type" is a name, or in OpenAPI 3.1 a list of names with "null" for a nullable one.
    static string TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return "object";
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).FirstOrDefault(t => t != "null") ?? "null"
            : type.GetString()!;
    }
}

/// <summary>A top-level field of a JSON request body and its JSON type ("string", "integer", "boolean", "array", "object").</summary>
internal sealed record BodyField(string Name, string Type);
