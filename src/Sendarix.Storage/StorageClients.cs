using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Sendarix.Core.Search;

namespace Sendarix.Storage;

/// <summary>The relay's own tables, queue and blob container, named from <see cref="StorageOptions.Prefix"/>.</summary>
public sealed class StorageClients
{
    /// <param name="credential">How storage is reached by service URI; needed only when the URIs are set.</param>
    public StorageClients(IOptions<StorageOptions> options, TokenCredential? credential = null)
    {
        var o = options.Value;
        var accounts = new StorageAccounts(o, credential);
        Tables = accounts.Tables(Configure(new TableClientOptions()));
        ReportingTables = accounts.ReportingTables(Configure(new TableClientOptions())) ?? Tables;
        Blobs = accounts.Blobs(Configure(new BlobClientOptions()));
        Messages = Tables.GetTableClient($"{o.Prefix}Messages");
        Retries = Tables.GetTableClient($"{o.Prefix}Retries");
        Destinations = Tables.GetTableClient($"{o.Prefix}Destinations");
        TenantEvents = Tables.GetTableClient($"{o.Prefix}TenantEvents");
        Suppressions = Tables.GetTableClient($"{o.Prefix}Suppressions");
        Tenants = Tables.GetTableClient($"{o.Prefix}Tenants");
        Bodies = Blobs.GetBlobContainerClient($"{o.Prefix}-bodies");
        WebhookAttempts = Tables.GetTableClient($"{o.Prefix}WebhookAttempts");
        Held = Tables.GetTableClient($"{o.Prefix}Held");
        SearchSummaries = ReportingTables.GetTableClient($"{o.Prefix}SearchSummaries");
        Stats = ReportingTables.GetTableClient($"{o.Prefix}Stats");
        _searchIndexes = Enum.GetValues<SearchField>().ToDictionary(f => f, f => ReportingTables.GetTableClient($"{o.Prefix}SearchBy{f}"));
        var queues = accounts.Queues(Configure(new QueueClientOptions()));
        Delivery = queues.GetQueueClient($"{o.Prefix}-delivery");
        DeliveryParked = queues.GetQueueClient($"{o.Prefix}-delivery-parked");
        Webhooks = queues.GetQueueClient($"{o.Prefix}-webhooks");
    }

    // Quick retries and a bounded network wait: an unreachable account must surface as a temporary failure soon,
    // not after the SDK's default 100 s time-out.
    static T Configure<T>(T clientOptions) where T : Azure.Core.ClientOptions
    {
        clientOptions.Retry.MaxRetries = 3;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return clientOptions;
    }

    readonly Dictionary<SearchField, TableClient> _searchIndexes;

    public TableServiceClient Tables { get; }

    /// <summary>The tables of search and statistics: <see cref="Tables"/>, or the reporting account when one is set.</summary>
    public TableServiceClient ReportingTables { get; }

    public BlobServiceClient Blobs { get; }

    /// <summary>Messages and their events, partitioned by tenant.</summary>
    public TableClient Messages { get; }

    /// <summary>Deferred recipients waiting for their next attempt, partitioned by destination.</summary>
    public TableClient Retries { get; }

    /// <summary>The destinations with deferred mail, a back-off or a hold: one row each.</summary>
    public TableClient Destinations { get; }

    /// <summary>Tenants' events outside messages (refused AUTH and the like), partitioned by tenant.</summary>
    public TableClient TenantEvents { get; }

    /// <summary>Tenants' suppressed recipients, partitioned by tenant.</summary>
    public TableClient Suppressions { get; }

    /// <summary>Every tenant's id and name, one row each in one partition, in id order (the directory lists page through it).</summary>
    public TableClient Tenants { get; }

    /// <summary>Message bodies, several per blob (one blob per acceptance batch).</summary>
    public BlobContainerClient Bodies { get; }

    /// <summary>Webhook delivery attempts, partitioned by tenant and endpoint, newest first.</summary>
    public TableClient WebhookAttempts { get; }

    /// <summary>Messages held back as spam, partitioned by tenant, newest first.</summary>
    public TableClient Held { get; }

    /// <summary>Messages as search shows them, one summary row each, partitioned by tenant.</summary>
    public TableClient SearchSummaries { get; }

    /// <summary>Message counts per hour and group, each node's own rows, partitioned by tenant ("*": all tenants).</summary>
    public TableClient Stats { get; }

    /// <summary>One field's index: a row per value and message ("{value}|{local}"), partitioned by tenant.</summary>
    public TableClient SearchIndex(SearchField field) => _searchIndexes[field];

    /// <summary>Delivery work: each queue message lists message recipients ready for an attempt.</summary>
    public QueueClient Delivery { get; }

    /// <summary>Work messages that could not be read, moved out of the delivery queue and kept for an operator.</summary>
    public QueueClient DeliveryParked { get; }

    /// <summary>Webhook deliveries, the events' outbox: each queue message is a group of events for one endpoint, with its attempt count.</summary>
    public QueueClient Webhooks { get; }

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await Messages.CreateIfNotExistsAsync(cancellationToken);
        await Retries.CreateIfNotExistsAsync(cancellationToken);
        await Destinations.CreateIfNotExistsAsync(cancellationToken);
        await TenantEvents.CreateIfNotExistsAsync(cancellationToken);
        await Suppressions.CreateIfNotExistsAsync(cancellationToken);
        await Tenants.CreateIfNotExistsAsync(cancellationToken);
        await Bodies.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await WebhookAttempts.CreateIfNotExistsAsync(cancellationToken);
        await Held.CreateIfNotExistsAsync(cancellationToken);
        await SearchSummaries.CreateIfNotExistsAsync(cancellationToken);
        await Stats.CreateIfNotExistsAsync(cancellationToken);
        foreach (var index in _searchIndexes.Values)
        {
            await index.CreateIfNotExistsAsync(cancellationToken);
        }

        await Delivery.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await DeliveryParked.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await Webhooks.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
    }
}
