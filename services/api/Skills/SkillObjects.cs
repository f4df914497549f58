using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.Api.Skills;

/// <summary>OpenAI's <c>Skill</c>: the default version's name and description.</summary>
internal sealed record SkillObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "skill";

    public required long CreatedAt { get; init; }

    public required string DefaultVersion { get; init; }

    public required string Description { get; init; }

    public required string LatestVersion { get; init; }

    public required string Name { get; init; }

    public static SkillObject From(SkillSnapshot skill)
    {
        var shown = skill.Version(skill.DefaultVersion) ?? skill.Versions[^1];
        return new()
        {
            Id = skill.Id,
            CreatedAt = skill.CreatedAt.ToUnixTimeSeconds(),
            DefaultVersion = skill.DefaultVersion,
            Description = shown.Description,
            LatestVersion = skill.LatestVersion,
            Name = shown.Name,
        };
    }
}

/// <summary>OpenAI's <c>SkillVersion</c>.</summary>
internal sealed record SkillVersionObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "skill.version";

    public required long CreatedAt { get; init; }

    public required string Description { get; init; }

    public required string Name { get; init; }

    public required string SkillId { get; init; }

    public required string Version { get; init; }

    public static SkillVersionObject From(string skillId, SkillVersionSnapshot version) => new()
    {
        Id = SkillJson.VersionId(skillId, version.Version),
        CreatedAt = version.CreatedAt.ToUnixTimeSeconds(),
        Description = version.Description,
        Name = version.Name,
        SkillId = skillId,
        Version = version.Version,
    };
}
