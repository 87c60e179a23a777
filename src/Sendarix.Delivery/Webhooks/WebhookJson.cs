using System.Text.Json.Serialization;
using Sendarix.Core.Events;

namespace Sendarix.Delivery.Webhooks;

/// <summary>Webhook bodies, in the names the API uses (camelCase), with every field present (null when it does not apply).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EventEnvelope))]
[JsonSerializable(typeof(List<EventEnvelope>))]
internal sealed partial class WebhookJson : JsonSerializerContext;
