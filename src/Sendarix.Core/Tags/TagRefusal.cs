namespace Sendarix.Core.Tags;

/// <summary>Why a message's tags or metadata are refused: the rule, and a sentence in ASCII that names it for the reply.</summary>
public sealed record TagRefusal(TagLimit Limit, string Message);
