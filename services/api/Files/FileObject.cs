using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.Api.Files;

/// <summary>OpenAI's <c>file</c> object (the SDKs' <c>FileObject</c>).</summary>
internal sealed record FileObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "file";

    public required long Bytes { get; init; }

    public required long CreatedAt { get; init; }

    public long? ExpiresAt { get; init; }

    public required string Filename { get; init; }

    public required string Purpose { get; init; }

    /// <summary>Deprecated in the SDKs, still required by their types: a kept file is "processed".</summary>
    public string Status => "processed";

    public string? StatusDetails => null;

    public static FileObject From(FileSnapshot file) => new()
    {
        Id = file.Id,
        Bytes = file.Bytes,
        CreatedAt = file.CreatedAt.ToUnixTimeSeconds(),
        ExpiresAt = file.ExpiresAt?.ToUnixTimeSeconds(),
        Filename = file.Filename,
        Purpose = file.Purpose,
    };
}
