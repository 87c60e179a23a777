namespace Sendarix.Storage.Messages;

/// <summary>Where a body lives: a range of an acceptance batch's blob.</summary>
public sealed record BodyRef(string Blob, long Offset, int Length);
