using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.Executor.Calls;

[JsonSerializable(typeof(ToolCallCompleted))]
internal sealed partial class CallRecordJson : JsonSerializerContext;
