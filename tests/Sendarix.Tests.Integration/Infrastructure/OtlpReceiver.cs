using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// An OTLP/HTTP collector on loopback, standing in for a real one: takes protobuf exports at /v1/traces (and accepts
/// /v1/metrics and /v1/logs without reading them), and decodes the spans' fields a test looks at with a small
/// protobuf reader written after opentelemetry-proto's trace.proto and common.proto.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    readonly HttpListener _listener = new();
    readonly ConcurrentQueue<ExportedSpan> _spans = new();
    readonly Task _serving;
    int _traceExports;

    public OtlpReceiver()
    {
        Port = Ports.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    /// <summary>The base address to give the relay's <c>OtlpEndpoint</c> with the <c>HttpProtobuf</c> protocol.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<ExportedSpan> Spans => _spans.ToArray();

    /// <summary>Requests received at /v1/traces.</summary>
    public int TraceExports => Volatile.Read(ref _traceExports);

    async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            var input = context.Request.Headers["Content-Encoding"] == "gzip" ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress) : context.Request.InputStream;
            await input.CopyToAsync(body);
            if (context.Request.Url!.AbsolutePath == "/v1/traces")
            {
                Interlocked.Increment(ref _traceExports);
                foreach (var span in ReadTraces(body.ToArray()))
                {
                    _spans.Enqueue(span);
                }
            }

            // An empty Export*ServiceResponse: everything accepted.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    /// <summary>ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → scope (1) and spans (2).</summary>
    internal static IEnumerable<ExportedSpan> ReadTraces(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                var fields = Fields(scopeSpans.Bytes).ToList();
                var scope = fields.Where(f => f.Number == 1).Select(f => Text(Fields(f.Bytes), 1)).FirstOrDefault() ?? "";
                foreach (var span in fields.Where(f => f.Number == 2))
                {
                    yield return ReadSpan(scope, span.Bytes);
                }
            }
        }
    }

    // Span: trace_id 1, span_id 2, parent_span_id 4, name 5, attributes 9 (KeyValue), links 13 (Link: trace_id 1, span_id 2).
    static ExportedSpan ReadSpan(string scope, byte[] span)
    {
        var fields = Fields(span).ToList();
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in fields.Where(f => f.Number == 9))
        {
            var parts = Fields(kv.Bytes).ToList();
            var key = Text(parts, 1) ?? "";
            var value = parts.FirstOrDefault(p => p.Number == 2) is { Number: 2 } v ? AnyValue(v.Bytes) : "";
            attributes[key] = value;
        }

        var links = fields.Where(f => f.Number == 13).Select(l =>
        {
            var parts = Fields(l.Bytes).ToList();
            return new ExportedLink(Hex(parts, 1), Hex(parts, 2));
        }).ToList();
        return new ExportedSpan(scope, Text(fields, 5) ?? "", Hex(fields, 1), Hex(fields, 2), Hex(fields, 4), attributes, links);
    }

    // AnyValue: string 1, bool 2, int 3, double 4; anything else is not read.
    static string AnyValue(byte[] value)
    {
        foreach (var f in Fields(value))
        {
            switch (f.Number)
            {
                case 1: return Encoding.UTF8.GetString(f.Bytes);
                case 2: return f.Varint != 0 ? "true" : "false";
                case 3: return ((long)f.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture);
                case 4: return BitConverter.Int64BitsToDouble((long)f.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return "";
    }

    static string? Text(IEnumerable<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number) is { Number: > 0 } f ? Encoding.UTF8.GetString(f.Bytes) : null;

    static string Hex(IEnumerable<Field> fields, int number) =>
        fields.FirstOrDefault(f => f.Number == number) is { Bytes: { Length: > 0 } b } ? Convert.ToHexStringLower(b) : "";

    /// <summary>The fields of one protobuf message, in order: a varint or fixed number in <see cref="Field.Varint"/>, bytes in <see cref="Field.Bytes"/>.</summary>
    static IEnumerable<Field> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = Varint(message, ref position);
            var number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    yield return new Field(number, Varint(message, ref position), []);
                    break;
                case 1:
                    yield return new Field(number, BitConverter.ToUInt64(message, position), []);
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    yield return new Field(number, 0, message.AsSpan(position, length).ToArray());
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, BitConverter.ToUInt32(message, position), []);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {key & 7} at {position}");
            }
        }
    }

    static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    readonly record struct Field(int Number, ulong Varint, byte[] Bytes);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
        _listener.Close();
    }
}

/// <summary>A span as exported: its scope (activity source), name, ids in lower-case hex, attributes as text, and links.</summary>
internal sealed record ExportedSpan(string Scope, string Name, string TraceId, string SpanId, string ParentSpanId,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<ExportedLink> Links)
{
    public string? this[string attribute] => Attributes.TryGetValue(attribute, out var value) ? value : null;

    public override string ToString() => $"{Scope}/{Name} {TraceId}/{SpanId} <- {ParentSpanId} [{string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"))}]";
}

internal sealed record ExportedLink(string TraceId, string SpanId);
