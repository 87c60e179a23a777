using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sendarix.Core.Events;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage;

/// <summary>Source-generated JSON for what the relay stores as text: recipient lists, tags, metadata, work items, events and webhook deliveries.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(DeliveryWorkItem))]
[JsonSerializable(typeof(List<DeliveryWorkItem>))]
[JsonSerializable(typeof(RelayEvent))]
[JsonSerializable(typeof(Sendarix.Core.Spam.SpamVerdict))]
[JsonSerializable(typeof(List<RelayEvent>))]
[JsonSerializable(typeof(Webhooks.WebhookDelivery))]
[JsonSerializable(typeof(Search.StoredStanding))]
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class StorageJson : JsonSerializerContext
{
    /// <summary>
    /// The same, escaping only what JSON needs. Stored text is never put into HTML, and escaping every HTML-sensitive
    /// or non-ASCII character (six characters each) could take text past a table property's 32 K characters;
    /// relaxed escaping writes at most three characters a UTF-8 byte (a character beyond the BMP as two escapes).
    /// Made on first use: the generated <c>Default</c> is initialised in another part of this class, in no set order.
    /// </summary>
    public static StorageJson Relaxed => field ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
