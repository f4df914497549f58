using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>A snapshot of a container's workspace (a Berth extension): <c>container.snapshot</c>.</summary>
internal sealed record WorkspaceSnapshotObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "container.snapshot";

    public required string ContainerId { get; init; }

    public required long Bytes { get; init; }

    public required long CreatedAt { get; init; }

    public required long ExpiresAt { get; init; }

    public static WorkspaceSnapshotObject From(WorkspaceSnapshotInfo snapshot) => new()
    {
        Id = snapshot.Id,
        ContainerId = snapshot.ContainerId,
        Bytes = snapshot.Bytes,
        CreatedAt = snapshot.CreatedAt.ToUnixTimeSeconds(),
        ExpiresAt = snapshot.ExpiresAt.ToUnixTimeSeconds(),
    };
}
