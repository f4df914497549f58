using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>The values that travel out of band as JSON, serialized without reflection.</summary>
[JsonSerializable(typeof(IReadOnlyList<ResponseItem>))]
[JsonSerializable(typeof(IReadOnlyList<ResponseStreamEvent>))]
[JsonSerializable(typeof(ModelTurn))]
public sealed partial class PayloadJson : JsonSerializerContext;
