using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// An OTLP/HTTP receiver on loopback, standing in for a collector or Jaeger: the services
/// export to it as they would in production. It keeps every span, and every payload's raw
/// bytes (traces, metrics and logs) so a test can look for what must never leave a service.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    public ConcurrentQueue<byte[]> Payloads { get; } = new();

    public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes)
    {
        public IReadOnlyList<ReceivedEvent> Events { get; init; } = [];
    }

    public sealed record ReceivedEvent(string Name, IReadOnlyDictionary<string, string> Attributes);

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        (receiver._app, receiver.Endpoint) = await LoopbackApp.StartAsync(app => app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var bytes = body.ToArray();
            receiver.Payloads.Enqueue(bytes);
            if (signal == "traces")
            {
                foreach (var span in ReadTraces(bytes))
                {
                    receiver.Spans.Enqueue(span);
                }
            }

            return Results.Bytes([], "application/x-protobuf");
        }));
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    // ExportTraceServiceRequest { 1: ResourceSpans { 1: Resource { 1: KeyValue }, 2: ScopeSpans { 2: Span } } },
    // from opentelemetry-proto; only the fields the tests look at are read.
    private static IEnumerable<ReceivedSpan> ReadTraces(byte[] payload)
    {
        foreach (var resourceSpans in Fields(payload).Where(f => f.Number == 1))
        {
            var service = "";
            var fields = Fields(resourceSpans.Bytes).ToList();
            foreach (var resource in fields.Where(f => f.Number == 1))
            {
                var attributes = Attributes(Fields(resource.Bytes).Where(f => f.Number == 1));
                service = attributes.GetValueOrDefault("service.name", "");
            }

            foreach (var scopeSpans in fields.Where(f => f.Number == 2))
            {
                foreach (var span in Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
                {
                    var s = Fields(span.Bytes).ToList();
                    yield return new ReceivedSpan(
                        service,
                        Hex(s.FirstOrDefault(f => f.Number == 1).Bytes),
                        Hex(s.FirstOrDefault(f => f.Number == 2).Bytes),
                        Hex(s.FirstOrDefault(f => f.Number == 4).Bytes),
                        s.FirstOrDefault(f => f.Number == 5).Bytes?.ToStringUtf8() ?? "",
                        Attributes(s.Where(f => f.Number == 9)))
                    {
                        // Span.events (11): Event { 2: name, 3: attributes }.
                        Events = [.. s.Where(f => f.Number == 11).Select(e => Fields(e.Bytes).ToList()).Select(e => new ReceivedEvent(
                            e.FirstOrDefault(f => f.Number == 2).Bytes?.ToStringUtf8() ?? "", Attributes(e.Where(f => f.Number == 3))))],
                    };
                }
            }
        }
    }

    // KeyValue { 1: key, 2: AnyValue { 1: string, 2: bool, 3: int64, 4: double, 5: ArrayValue { 1: AnyValue } } }
    private static Dictionary<string, string> Attributes(IEnumerable<Field> keyValues)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyValue in keyValues)
        {
            var kv = Fields(keyValue.Bytes).ToList();
            var key = kv.FirstOrDefault(f => f.Number == 1).Bytes?.ToStringUtf8() ?? "";
            var value = kv.FirstOrDefault(f => f.Number == 2);
            attributes[key] = value.Bytes is null ? "" : AnyValue(value.Bytes);
        }

        return attributes;
    }

    private static string AnyValue(ByteString bytes)
    {
        var field = Fields(bytes).FirstOrDefault();
        return field.Number switch
        {
            1 => field.Bytes!.ToStringUtf8(),
            2 => field.Varint != 0 ? "true" : "false",
            3 => ((long)field.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
            4 => BitConverter.Int64BitsToDouble((long)field.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
            5 => string.Join(",", Fields(field.Bytes!).Where(f => f.Number == 1).Select(f => AnyValue(f.Bytes!))),
            _ => "",
        };
    }

    private static string Hex(ByteString? bytes) => bytes is null ? "" : Convert.ToHexStringLower(bytes.Span);

    private readonly record struct Field(int Number, ByteString? Bytes, ulong Varint);

    private static List<Field> Fields(ByteString? bytes) => bytes is null ? [] : Fields(bytes.ToByteArray());

    private static List<Field> Fields(byte[] bytes)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new Field(number, input.ReadBytes(), 0));
                    break;
                case WireFormat.WireType.Varint:
                    fields.Add(new Field(number, null, input.ReadUInt64()));
                    break;
                case WireFormat.WireType.Fixed64:
                    fields.Add(new Field(number, null, input.ReadFixed64()));
                    break;
                case WireFormat.WireType.Fixed32:
                    fields.Add(new Field(number, null, input.ReadFixed32()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return fields;
    }
}
