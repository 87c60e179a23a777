using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Sendarix.Storage;

/// <summary>
/// Service clients for the relay's storage accounts, the one place that chooses how they are reached: by connection
/// string, or by service URI with the relay's token credential (its managed identity in Azure, so no account key is
/// configured anywhere). Orleans' tables and the relay's own clients are both made here.
/// </summary>
public sealed class StorageAccounts(StorageOptions options, TokenCredential? credential)
{
    TokenCredential Credential => credential
        ?? throw new InvalidOperationException("Sendarix:Storage: the service URIs need a token credential, and none was given.");

    public TableServiceClient Tables(TableClientOptions? clientOptions = null) => options.UsesServiceUris
        ? new TableServiceClient(options.TableServiceUri!, Credential, clientOptions)
        : new TableServiceClient(options.ConnectionString!, clientOptions);

    /// <summary>The reporting account's tables, or null when reporting shares the main account.</summary>
    public TableServiceClient? ReportingTables(TableClientOptions? clientOptions = null) =>
        options.ReportingTableServiceUri is { } uri ? new TableServiceClient(uri, Credential, clientOptions)
        : !string.IsNullOrWhiteSpace(options.ReportingConnectionString) ? new TableServiceClient(options.ReportingConnectionString, clientOptions)
        : null;

    public BlobServiceClient Blobs(BlobClientOptions? clientOptions = null) => options.UsesServiceUris
        ? new BlobServiceClient(options.BlobServiceUri!, Credential, clientOptions)
        : new BlobServiceClient(options.ConnectionString!, clientOptions);

    public QueueServiceClient Queues(QueueClientOptions? clientOptions = null) => options.UsesServiceUris
        ? new QueueServiceClient(options.QueueServiceUri!, Credential, clientOptions)
        : new QueueServiceClient(options.ConnectionString!, clientOptions);
}
