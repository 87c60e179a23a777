using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sendarix.Core.Events;

namespace Sendarix.Tests.Unit.Events;

/// <summary>
/// The published description of events stays the contract: the JSON Schema names exactly the fields the relay sends,
/// and the README has an example of every event type that the schema accepts.
/// </summary>
public sealed partial class EventDocumentationTests
{
    static readonly string Root = FindRoot();

    static readonly JsonElement Schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "docs", "webhook-event.schema.json"))).RootElement;

    static JsonElement EventSchema => Schema.GetProperty("$defs").GetProperty("event");

    [Fact]
    public void The_schema_names_every_field_of_the_event_and_no_other_and_every_type()
    {
        var fields = typeof(EventDocument).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Order().ToList();
        Assert.Equal(fields, EventSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToList());
        Assert.Equal(fields, EventSchema.GetProperty("required").EnumerateArray().Select(p => p.GetString()!).Order().ToList());
        var types = EventTypes.All.Select(EventTypes.Name).Order().ToList();
        Assert.Equal(types, EventSchema.GetProperty("properties").GetProperty("type").GetProperty("enum").EnumerateArray().Select(t => t.GetString()!).Order().ToList());
        Assert.Equal(types, Schema.GetProperty("properties").GetProperty("type").GetProperty("enum").EnumerateArray().Select(t => t.GetString()!).Order().ToList());
    }

    [Fact]
    public void The_readme_has_one_example_of_each_type_and_each_fits_the_schema()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var examples = Example().Matches(readme).Select(m => (Summary: m.Groups[1].Value, Json: JsonDocument.Parse(m.Groups[2].Value).RootElement)).ToList();
        Assert.Equal(EventTypes.All.Select(EventTypes.Name).Order(), examples.Select(e => e.Summary).Order());
        foreach (var (summary, json) in examples)
        {
            Assert.Equal(summary, json.GetProperty("type").GetString());
            var data = json.GetProperty("data");
            Assert.Equal(summary, data.GetProperty("type").GetString());
            Assert.Equal(json.GetProperty("timestamp").GetDateTimeOffset(), data.GetProperty("time").GetDateTimeOffset());
            Assert.True(EventIds.IsWellFormed(data.GetProperty("id").GetString()), summary);
            var properties = EventSchema.GetProperty("properties");
            Assert.Equal(properties.EnumerateObject().Select(p => p.Name).Order(), data.EnumerateObject().Select(p => p.Name).Order());
            foreach (var field in data.EnumerateObject())
            {
                var allowed = properties.GetProperty(field.Name).GetProperty("type") is { ValueKind: JsonValueKind.Array } list
                    ? list.EnumerateArray().Select(t => t.GetString()!).ToList()
                    : [properties.GetProperty(field.Name).GetProperty("type").GetString()!];
                Assert.True(allowed.Contains(KindOf(field.Value)), $"{summary}: {field.Name} is {KindOf(field.Value)}, the schema says {string.Join("/", allowed)}");
            }
        }
    }

    static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "integer",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sendarix.Orleans.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"<details><summary><code>([a-z._]+)</code></summary>\s*```json\s*(\{.*?\})\s*```", RegexOptions.Singleline)]
    private static partial Regex Example();
}
