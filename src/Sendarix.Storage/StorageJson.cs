using System.Text.Json.Serialization;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage;

/// <summary>Source-generated JSON for what the relay stores as text: recipient states and work items.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(DeliveryWorkItem))]
[JsonSerializable(typeof(List<DeliveryWorkItem>))]
internal sealed partial class StorageJson : JsonSerializerContext;
