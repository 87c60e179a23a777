using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Sendarix.Core.Tags;

/// <summary>
/// The tags and metadata a client sets in header fields, so that an application that cannot change its code can
/// label its mail: the relay's own X-Sendarix-Tag (one tag a field) and X-Sendarix-Metadata-{key}, and the ones of the
/// providers it may be moving from: SendGrid's X-SMTPAPI (a JSON object whose category gives tags and whose
/// unique_args and custom_args give metadata; its other members are ignored), Postmark's X-PM-Tag and
/// X-PM-Metadata-{key}, and Amazon SES's X-SES-MESSAGE-TAGS ("name=value, name=value", as metadata). Field names are
/// case-insensitive. Values arrive decoded and unfolded. A tag given twice, by any of the fields, is kept once; a
/// metadata key given twice keeps its first place and its last value, as a JSON object with a repeated member does for
/// SendGrid, so a message that sets a key both the new way and the old way is not lost.
/// </summary>
public static class SubmissionTags
{
    public const int MaxTags = 10;
    public const int MaxMetadataKeys = 50;

    /// <summary>Tags, keys and values together, in UTF-8 bytes.</summary>
    public const int MaxTotalBytes = 10 * 1024;

    public const int MaxTagBytes = 255;
    public const int MaxKeyBytes = 128;

    const string Tag = "X-Sendarix-Tag";
    const string MetadataPrefix = "X-Sendarix-Metadata-";
    const string SmtpApi = "X-SMTPAPI";
    const string PostmarkTag = "X-PM-Tag";
    const string PostmarkMetadataPrefix = "X-PM-Metadata-";
    const string SesTags = "X-SES-MESSAGE-TAGS";

    /// <summary>Whether a header field of this name carries tags or metadata (and is removed before the message is stored).</summary>
    public static bool IsTagField(ReadOnlySpan<char> name) => Classify(name, out _) != FieldKind.None;

    /// <inheritdoc cref="IsTagField(ReadOnlySpan{char})"/>
    public static bool IsTagField(ReadOnlySpan<byte> name) =>
        IsFieldName(name)
        && (Ascii.EqualsIgnoreCase(name, Tag) || Ascii.EqualsIgnoreCase(name, PostmarkTag) || Ascii.EqualsIgnoreCase(name, SmtpApi) || Ascii.EqualsIgnoreCase(name, SesTags)
            || HasPrefix(name, MetadataPrefix) || HasPrefix(name, PostmarkMetadataPrefix));

    /// <summary>
    /// Reads the tags and metadata of <paramref name="fields"/> (name and decoded value; fields of other names are
    /// skipped), or says which rule they break.
    /// </summary>
    public static bool TryParse(IEnumerable<(string Name, string Value)> fields, out MessageTags tags, [NotNullWhen(false)] out TagRefusal? refusal)
    {
        var collected = new Collector();
        foreach (var (name, value) in fields)
        {
            refusal = Classify(name, out var keyStart) switch
            {
                FieldKind.Tag => collected.AddTag(value),
                FieldKind.Metadata => collected.AddMetadata(name[keyStart..], value),
                FieldKind.SmtpApi => ReadSmtpApi(value, collected),
                FieldKind.SesTags => ReadSesTags(value, collected),
                _ => null,
            };
            if (refusal is not null)
            {
                tags = MessageTags.None;
                return false;
            }
        }

        refusal = collected.TotalBytes() > MaxTotalBytes
            ? new TagRefusal(TagLimit.TooLarge, $"Tags and metadata too large: at most {MaxTotalBytes} bytes of UTF-8 in all")
            : null;
        tags = refusal is null ? collected.Result() : MessageTags.None;
        return refusal is null;
    }

    // SendGrid: {"category": "a" | ["a", ...], "unique_args": {"k": "v"}, "custom_args": {"k": "v"}, ...}.
    static TagRefusal? ReadSmtpApi(string value, Collector collected)
    {
        using var json = ParseJson(value);
        if (json?.RootElement.ValueKind != JsonValueKind.Object)
        {
            return Malformed("X-SMTPAPI is not a JSON object");
        }

        try
        {
            foreach (var member in json.RootElement.EnumerateObject())
            {
                var refusal = member.Name switch
                {
                    "category" => ReadCategory(member.Value, collected),
                    "unique_args" or "custom_args" => ReadArgs(member.Name, member.Value, collected),
                    _ => null,
                };
                if (refusal is not null)
                {
                    return refusal;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape ("\ud800") is valid JSON but no text: reading it as a string throws.
            return Malformed("X-SMTPAPI contains an escape that is not text");
        }

        return null;
    }

    static JsonDocument? ParseJson(string value)
    {
        try
        {
            return JsonDocument.Parse(value);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static TagRefusal? ReadCategory(JsonElement category, Collector collected)
    {
        switch (category.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return collected.AddTag(category.GetString()!);
            case JsonValueKind.Array when category.EnumerateArray().All(c => c.ValueKind == JsonValueKind.String):
                foreach (var c in category.EnumerateArray())
                {
                    if (collected.AddTag(c.GetString()!) is { } refusal)
                    {
                        return refusal;
                    }
                }

                return null;
            default:
                return Malformed("X-SMTPAPI category must be a string or an array of strings");
        }
    }

    static TagRefusal? ReadArgs(string name, JsonElement args, Collector collected)
    {
        if (args.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (args.ValueKind != JsonValueKind.Object || args.EnumerateObject().Any(a => a.Value.ValueKind != JsonValueKind.String))
        {
            return Malformed($"X-SMTPAPI {name} must be an object of string values");
        }

        foreach (var arg in args.EnumerateObject())
        {
            if (collected.AddMetadata(arg.Name, arg.Value.GetString()!) is { } refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    // SES: "name1=value1, name2=value2"; blanks around the separators are not part of names or values.
    static TagRefusal? ReadSesTags(string value, Collector collected)
    {
        foreach (var pair in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq < 0)
            {
                return new TagRefusal(TagLimit.MalformedSesTags, "X-SES-MESSAGE-TAGS must be name=value pairs separated by commas");
            }

            if (collected.AddMetadata(pair[..eq], pair[(eq + 1)..].Trim()) is { } refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    static TagRefusal Malformed(string message) => new(TagLimit.MalformedSmtpApi, message);

    enum FieldKind
    {
        None,
        Tag,
        Metadata,
        SmtpApi,
        SesTags,
    }

    // For a metadata field, the key is the rest of the name, as the client wrote it.
    static FieldKind Classify(ReadOnlySpan<char> name, out int keyStart)
    {
        keyStart = name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? MetadataPrefix.Length
            : name.StartsWith(PostmarkMetadataPrefix, StringComparison.OrdinalIgnoreCase) ? PostmarkMetadataPrefix.Length
            : 0;
        return !IsFieldName(name) ? FieldKind.None
            : keyStart > 0 ? FieldKind.Metadata
            : Ascii.EqualsIgnoreCase(name, Tag) || Ascii.EqualsIgnoreCase(name, PostmarkTag) ? FieldKind.Tag
            : Ascii.EqualsIgnoreCase(name, SmtpApi) ? FieldKind.SmtpApi
            : Ascii.EqualsIgnoreCase(name, SesTags) ? FieldKind.SesTags
            : FieldKind.None;
    }

    static bool HasPrefix(ReadOnlySpan<byte> name, string prefix) => name.Length >= prefix.Length && Ascii.EqualsIgnoreCase(name[..prefix.Length], prefix);

    // RFC 5322 2.2: a field name is printable ASCII other than the colon.
    static bool IsFieldName(ReadOnlySpan<char> name) => !name.IsEmpty && !name.ContainsAnyExceptInRange('!', '~') && !name.Contains(':');

    static bool IsFieldName(ReadOnlySpan<byte> name) => !name.IsEmpty && !name.ContainsAnyExceptInRange((byte)'!', (byte)'~') && !name.Contains((byte)':');

    /// <summary>What the fields gave so far; refuses an item as soon as it breaks a rule of its own.</summary>
    sealed class Collector
    {
        readonly List<string> _tags = [];
        readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        readonly OrderedDictionary<string, string> _metadata = new(StringComparer.Ordinal);

        public TagRefusal? AddTag(string tag)
        {
            tag = tag.Trim();
            if (tag.Length == 0 || _seen.Contains(tag))
            {
                // An empty tag (a template that filled in nothing) labels nothing.
                return null;
            }

            if (!IsText(tag, allowTab: false))
            {
                return new TagRefusal(TagLimit.InvalidCharacter, "A tag contains a control character or invalid text");
            }

            if (Encoding.UTF8.GetByteCount(tag) > MaxTagBytes)
            {
                return new TagRefusal(TagLimit.TagTooLong, $"A tag is too long: at most {MaxTagBytes} bytes of UTF-8");
            }

            if (_tags.Count == MaxTags)
            {
                return new TagRefusal(TagLimit.TooManyTags, $"Too many tags: at most {MaxTags} a message (X-Sendarix-Tag, X-PM-Tag and X-SMTPAPI category together)");
            }

            _seen.Add(tag);
            _tags.Add(tag);
            return null;
        }

        public TagRefusal? AddMetadata(string key, string value)
        {
            key = key.Trim();
            if (key.Length == 0)
            {
                return new TagRefusal(TagLimit.EmptyKey, "A metadata key is empty");
            }

            if (!IsText(key, allowTab: false))
            {
                return new TagRefusal(TagLimit.InvalidCharacter, "A metadata key contains a control character or invalid text");
            }

            if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
            {
                return new TagRefusal(TagLimit.KeyTooLong, $"A metadata key is too long: at most {MaxKeyBytes} bytes of UTF-8");
            }

            // A folded value keeps the tab that began its continuation line.
            if (!IsText(value, allowTab: true))
            {
                return new TagRefusal(TagLimit.InvalidCharacter, "A metadata value contains a control character or invalid text");
            }

            if (!_metadata.ContainsKey(key) && _metadata.Count == MaxMetadataKeys)
            {
                return new TagRefusal(TagLimit.TooManyMetadataKeys, $"Too many metadata keys: at most {MaxMetadataKeys} a message (all metadata fields together)");
            }

            _metadata[key] = value;
            return null;
        }

        // Counted at the end: a later value of a key replaces the earlier one.
        public int TotalBytes() =>
            _tags.Sum(Encoding.UTF8.GetByteCount) + _metadata.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value));

        public MessageTags Result() => _tags.Count == 0 && _metadata.Count == 0 ? MessageTags.None : new MessageTags(_tags, _metadata);

        // Well-formed UTF-16 without control characters: these end up in JSON, logs and webhooks.
        static bool IsText(string text, bool allowTab)
        {
            var rest = text.AsSpan();
            while (!rest.IsEmpty)
            {
                if (Rune.DecodeFromUtf16(rest, out var rune, out var used) != OperationStatus.Done || (Rune.IsControl(rune) && !(allowTab && rune.Value == '\t')))
                {
                    return false;
                }

                rest = rest[used..];
            }

            return true;
        }
    }
}
