using System.Text.Json.Serialization;
using Berth.Api.Containers;
using Berth.Api.Conversations;
using Berth.Api.Files;
using Berth.Api.Models;
using Berth.Api.Skills;

namespace Berth.Api.Wire;

/// <summary>
/// The api's objects as System.Text.Json writes them, generated at build time: snake_case names,
/// fields in the order they are declared (the order OpenAI sends), and null written unless a
/// field says it is left out. The bodies are pinned byte for byte by the unit tests' golden files.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(DeletedObject))]
[JsonSerializable(typeof(ContainerObject))]
[JsonSerializable(typeof(ListPage<ContainerObject>))]
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
internal sealed partial class ApiJsonContext : JsonSerializerContext;
