using System.Diagnostics;
using System.Text.Json;
using Sendarix.Core.Events;
using Sendarix.Core.Telemetry;
using Sendarix.Storage;
using Sendarix.Storage.Queue;
using Sendarix.Storage.Telemetry;

namespace Sendarix.Tests.Unit;

/// <summary>
/// The trace context in stored work and events is optional: absent when traces are off (the stored JSON is what it
/// was), read back when present, and work or events written before it existed still read.
/// </summary>
public sealed class TraceContextStorageTests
{
    const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    static DeliveryWorkItem Item(string? traceParent = null) => new("t1", "m1", "a@example.com", "blob", 0, 10, DateTimeOffset.UnixEpoch,
        [new WorkRecipient(0, "b@example.com", 0)], TraceParent: traceParent);

    [Fact]
    public void Work_without_a_trace_stores_no_trace_field()
    {
        var json = JsonSerializer.Serialize(Item(), StorageJson.Relaxed.DeliveryWorkItem);
        Assert.DoesNotContain("trace", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Work_with_a_trace_reads_back_its_traceparent_and_work_written_before_reads_as_none()
    {
        var json = JsonSerializer.Serialize(Item(TraceParent), StorageJson.Relaxed.DeliveryWorkItem);
        Assert.Equal(TraceParent, JsonSerializer.Deserialize(json, StorageJson.Default.DeliveryWorkItem)!.TraceParent);

        const string before = """{"tenantId":"t1","messageId":"m1","from":"a@example.com","blob":"blob","offset":0,"length":10,"acceptedAt":"1970-01-01T00:00:00+00:00","recipients":[{"index":0,"address":"b@example.com","attempts":0}]}""";
        var old = JsonSerializer.Deserialize(before, StorageJson.Default.DeliveryWorkItem)!;
        Assert.Null(old.TraceParent);
        Assert.Equal("m1", old.MessageId);
    }

    [Fact]
    public void An_event_carries_its_traceparent_through_the_webhook_queue_only_when_it_has_one()
    {
        var e = new RelayEvent { Id = "e1", Type = EventType.Delivered, Time = DateTimeOffset.UnixEpoch, TenantId = "t1" };
        Assert.DoesNotContain("trace", JsonSerializer.Serialize(e, StorageJson.Relaxed.RelayEvent), StringComparison.OrdinalIgnoreCase);
        var traced = JsonSerializer.Serialize(e with { TraceParent = TraceParent }, StorageJson.Relaxed.RelayEvent);
        Assert.Equal(TraceParent, JsonSerializer.Deserialize(traced, StorageJson.Default.RelayEvent)!.TraceParent);
    }

    [Fact]
    public void A_stored_traceparent_names_its_parent_and_an_unreadable_one_names_none()
    {
        var parent = RelayTracing.Parent(TraceParent);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", parent.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", parent.SpanId.ToHexString());
        Assert.True(parent.IsRemote);
        Assert.Equal(default, RelayTracing.Parent("not a traceparent"));
        Assert.Equal(default, RelayTracing.Parent(null));
    }

    [Fact]
    public void Without_a_listener_no_span_is_made_and_nothing_is_carried()
    {
        // The unit tests run with no listener on the relay's source, as a relay without a trace exporter does.
        Assert.False(RelayTracing.Source.HasListeners());
        using var span = RelayTracing.Source.StartActivity("probe");
        Assert.Null(span);
        Assert.Null(RelayTracing.TraceParent(span));
    }

    [Fact]
    public void With_a_listener_the_span_is_carried_as_its_w3c_traceparent()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == TraceNames.Source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        Assert.True(RelayTracing.Source.HasListeners());
        using var span = RelayTracing.Source.StartActivity("probe", ActivityKind.Internal, RelayTracing.Parent(TraceParent));
        Assert.NotNull(span);
        var carried = RelayTracing.TraceParent(span);
        Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c-", carried);
        Assert.Equal(span.SpanId, RelayTracing.Parent(carried).SpanId);
    }
}
