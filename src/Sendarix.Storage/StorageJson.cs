using System.Text.Json.Serialization;
using Sendarix.Core.Events;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage;

/// <summary>Source-generated JSON for what the relay stores as text: recipient lists, work items, events and webhook deliveries.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(DeliveryWorkItem))]
[JsonSerializable(typeof(List<DeliveryWorkItem>))]
[JsonSerializable(typeof(RelayEvent))]
[JsonSerializable(typeof(List<RelayEvent>))]
[JsonSerializable(typeof(Webhooks.WebhookDelivery))]
internal sealed partial class StorageJson : JsonSerializerContext;
