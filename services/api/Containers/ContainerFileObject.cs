using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>OpenAI's <c>container.file</c> object.</summary>
internal sealed record ContainerFileObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "container.file";

    public required long CreatedAt { get; init; }

    public required long Bytes { get; init; }

    public required string ContainerId { get; init; }

    public required string Path { get; init; }

    public required string Source { get; init; }

    public static ContainerFileObject From(string containerId, ContainerFileInfo file) => new()
    {
        Id = ContainerFileJson.IdOf(file.Path),
        CreatedAt = file.CreatedAt.ToUnixTimeSeconds(),
        Bytes = file.Bytes,
        ContainerId = containerId,
        Path = $"/mnt/data/{file.Path}",
        Source = file.Source,
    };
}
