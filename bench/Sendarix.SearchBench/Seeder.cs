using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Storage;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Search;

namespace Sendarix.SearchBench;

/// <summary>
/// Writes a tenant's message history the way the relay records it (message rows, their events, their search rows),
/// through the relay's own storage code: messages spread evenly over the last days, to a pool of recipients in a
/// pool of domains, some tagged, some with metadata, most delivered, some bounced or deferred. Writes a manifest of
/// values that exist, for the query runner to search for.
/// </summary>
internal static class Seeder
{
    public const string Usage = "usage: Sendarix.SearchBench seed CONNECTION_STRING PREFIX TENANT_ID COUNT MANIFEST [DAYS=30]";

    const int Batch = 250;
    const int Parallel = 4;
    const int Recipients = 50_000;
    const int Domains = 40;
    const int Tags = 50;
    const int Customers = 2_000;

    // Only its length is stored: the seeded messages have no bodies to deliver.
    static readonly ReadOnlyMemory<byte> Body = new byte[2048];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 5 or > 6 || !int.TryParse(args[3], CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var (connection, prefix, tenantId, manifestPath) = (args[0], args[1], args[2], args[4]);
        var days = args.Length == 6 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 30;
        var storage = new StorageClients(Options.Create(new StorageOptions
        {
            ConnectionString = connection,
            ReportingConnectionString = Environment.GetEnvironmentVariable("Sendarix__Storage__ReportingConnectionString"),
            Prefix = prefix,
        }));
        await storage.EnsureCreatedAsync(CancellationToken.None);
        var ledger = new MessageLedger(storage);
        var search = new SearchIndex(storage, Options.Create(new SearchOptions { WriteInterval = TimeSpan.Zero }), TimeProvider.System);

        var now = DateTimeOffset.UtcNow;
        var span = TimeSpan.FromDays(days);
        var manifest = new Manifest(tenantId, now - span, now, [], [], []);
        var random = new Random(20261202);
        var clock = Stopwatch.StartNew();
        var written = 0;
        var batches = Enumerable.Range(0, (count + Batch - 1) / Batch).Select(b => Enumerable.Range(b * Batch, Math.Min(Batch, count - b * Batch))
            .Select(i => Message(tenantId, i, now - span * (count - i) / count, random, manifest)).ToList()).ToList();
        await System.Threading.Tasks.Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallel }, async (batch, _) =>
        {
            await ledger.WriteAcceptedAsync([.. batch.Select(m => (m.Message, new BodyRef("seeded", 0, m.Message.Body.Length)))], CancellationToken.None);
            var events = batch.SelectMany(m => m.Events).ToList();
            await ledger.AppendAsync(events, CancellationToken.None);
            await search.AddAsync(events, CancellationToken.None);
            var total = Interlocked.Add(ref written, batch.Count);
            if (total % 10_000 < Batch)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed: {total} messages in {clock.Elapsed.TotalSeconds:0} s"));
            }
        });

        await File.WriteAllTextAsync(manifestPath, JsonSerializer.Serialize(manifest));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SEEDED messages={count} seconds={clock.Elapsed.TotalSeconds:0.0} days={days}"));
        return 0;
    }

    static (AcceptedMessage Message, IReadOnlyList<RelayEvent> Events) Message(string tenantId, int i, DateTimeOffset acceptedAt, Random random, Manifest manifest)
    {
        var id = MessageId.New(tenantId, acceptedAt);
        var recipient = string.Create(CultureInfo.InvariantCulture, $"user{i * 7919 % Recipients}@d{i % Domains}.example");
        var headerId = $"{Guid.NewGuid():N}@app.example";
        var tags = i % 4 == 0 ? new[] { string.Create(CultureInfo.InvariantCulture, $"campaign-{i / 4 % Tags}") } : [];
        var metadata = i % 4 == 1
            ? new Dictionary<string, string> { ["customer"] = string.Create(CultureInfo.InvariantCulture, $"c{i % Customers}") }.AsReadOnly()
            : ReadOnlyDictionary<string, string>.Empty;
        var subject = (i % 3) switch
        {
            0 => $"Your invoice {i}",
            1 => $"Order {i} has shipped",
            _ => "Reset your password",
        };
        var from = $"app{i % 4}@sender.example";
        var message = new AcceptedMessage(id, from, [recipient], Body, acceptedAt, "127.0.0.1", headerId, subject) { Tags = tags, Metadata = metadata };
        var context = new EventMessage(id.ToString(), from, headerId, subject, tags, metadata);
        var outcome = (random.Next(100)) switch
        {
            < 5 => EventType.Bounced,
            < 8 => EventType.Deferred,
            _ => EventType.Delivered,
        };
        var accepted = Event(tenantId, context, recipient, EventType.Accepted, 0, acceptedAt) with { Reply = $"250 2.0.0 OK: queued as {id}" };
        var outcomeEvent = Event(tenantId, context, recipient, outcome, 1, acceptedAt.AddMilliseconds(200 + random.Next(800))) with
        {
            Attempt = 1,
            Reply = outcome switch
            {
                EventType.Bounced => "550 5.1.1 user unknown",
                EventType.Deferred => "451 4.3.0 try again later",
                _ => "250 2.0.0 ok",
            },
            BounceCategory = outcome switch
            {
                EventType.Bounced => "invalid_recipient",
                EventType.Deferred => "transient",
                _ => null,
            },
            RemoteHost = $"mx.d{i % Domains}.example",
        };
        if (i % 97 == 0)
        {
            manifest.Recipients.Add(recipient);
            manifest.MessageIds.Add(headerId);
        }

        if (tags.Length > 0 && manifest.Tags.Count < Tags && !manifest.Tags.Contains(tags[0]))
        {
            manifest.Tags.Add(tags[0]);
        }

        return (message, [accepted, outcomeEvent]);
    }

    static RelayEvent Event(string tenantId, EventMessage context, string recipient, EventType type, int sequence, DateTimeOffset time) => new()
    {
        Id = EventIds.ForRecipient(context.MessageId, 0, sequence, type),
        Type = type,
        Time = time,
        TenantId = tenantId,
        Message = context,
        Recipient = recipient,
        Sequence = sequence,
    };
}

/// <summary>What the seeder wrote: the tenant, the time span, and values to search for that exist.</summary>
internal sealed record Manifest(string TenantId, DateTimeOffset Oldest, DateTimeOffset Newest, List<string> Recipients, List<string> MessageIds, List<string> Tags);
