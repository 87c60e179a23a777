namespace Sendarix.Storage;

/// <summary>Storage could not make something durable; the caller must answer with a temporary failure.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner) : Exception(message, inner);
