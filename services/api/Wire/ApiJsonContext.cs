using System.Text.Json.Serialization;
using Berth.Api.Containers;
using Berth.Api.Conversations;
using Berth.Api.Files;
using Berth.Api.Models;
using Berth.Api.Responses;
using Berth.Api.Skills;

namespace Berth.Api.Wire;

/// <summary>
/// The api's objects as System.Text.Json writes them, generated at build time: snake_case names,
/// fields in the order they are declared (the order OpenAI sends), and null written unless a
/// field says it is left out. The bodies are pinned byte for byte by the unit tests' golden files.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DeletedObject))]
[JsonSerializable(typeof(ContainerObject))]
[JsonSerializable(typeof(ListPage<ContainerObject>))]
[JsonSerializable(typeof(WorkspaceSnapshotObject))]
[JsonSerializable(typeof(ListPage<WorkspaceSnapshotObject>))]
[JsonSerializable(typeof(NetworkPolicyObject))]
[JsonSerializable(typeof(ContainerFileObject))]
[JsonSerializable(typeof(ListPage<ContainerFileObject>))]
[JsonSerializable(typeof(FileObject))]
[JsonSerializable(typeof(ListPage<FileObject>))]
[JsonSerializable(typeof(SkillObject))]
[JsonSerializable(typeof(ListPage<SkillObject>))]
[JsonSerializable(typeof(SkillVersionObject))]
[JsonSerializable(typeof(ListPage<SkillVersionObject>))]
[JsonSerializable(typeof(ConversationObject))]
[JsonSerializable(typeof(ModelObject))]
[JsonSerializable(typeof(ModelListObject))]
[JsonSerializable(typeof(ResponseObject))]
[JsonSerializable(typeof(CompactionResultObject))]
[JsonSerializable(typeof(ListPage<object>))]
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(OutputMessageObject))]
[JsonSerializable(typeof(ShellCallObject))]
[JsonSerializable(typeof(ShellApprovalRequestObject))]
[JsonSerializable(typeof(ShellCallOutputObject))]
[JsonSerializable(typeof(FunctionCallObject))]
[JsonSerializable(typeof(CompactionObject))]
[JsonSerializable(typeof(BareItemObject))]
[JsonSerializable(typeof(InputMessageObject))]
[JsonSerializable(typeof(InputTextObject))]
[JsonSerializable(typeof(InputImageObject))]
[JsonSerializable(typeof(InputFileObject))]
[JsonSerializable(typeof(FunctionCallOutputObject))]
[JsonSerializable(typeof(ApprovalResponseObject))]
[JsonSerializable(typeof(TextFormatObject))]
[JsonSerializable(typeof(JsonSchemaFormatObject))]
[JsonSerializable(typeof(NamedToolObject))]
[JsonSerializable(typeof(ShellToolObject))]
[JsonSerializable(typeof(FunctionToolObject))]
[JsonSerializable(typeof(ApprovalPatternsObject))]
[JsonSerializable(typeof(ResponseEventObject))]
[JsonSerializable(typeof(OutputItemEventObject))]
[JsonSerializable(typeof(ContentPartEventObject))]
[JsonSerializable(typeof(TextDeltaEventObject))]
[JsonSerializable(typeof(TextDoneEventObject))]
[JsonSerializable(typeof(ArgumentsDeltaEventObject))]
[JsonSerializable(typeof(ArgumentsDoneEventObject))]
[JsonSerializable(typeof(CommandEventObject))]
[JsonSerializable(typeof(CommandDeltaEventObject))]
[JsonSerializable(typeof(ShellOutputDoneEventObject))]
[JsonSerializable(typeof(ShellOutputDeltaEventObject))]
[JsonSerializable(typeof(BareEventObject))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
