namespace Sendarix.Core.Tags;

/// <summary>The rule a message's tags or metadata broke.</summary>
public enum TagLimit
{
    TooManyTags,
    TooManyMetadataKeys,
    TooLarge,
    TagTooLong,
    KeyTooLong,
    EmptyKey,
    InvalidCharacter,
    MalformedSmtpApi,
    MalformedSesTags,
}
