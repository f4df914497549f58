namespace Berth.Contracts;

/// <summary>
/// A skill (<c>/v1/skills</c>): a folder with a <c>SKILL.md</c>, kept in versions. Its bundles
/// are never in a message or a record: each version's files wait in the payload store as one
/// zip, at its <see cref="SkillVersionSnapshot.ContentAddress"/>.
/// </summary>
public sealed record SkillSnapshot
{
    /// <summary><c>skill_</c> and 32 hex digits.</summary>
    public required string Id { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The tenant whose API key made it; only that tenant sees it.</summary>
    public string? Tenant { get; init; }

    public required string DefaultVersion { get; init; }

    public required string LatestVersion { get; init; }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<SkillVersionSnapshot> Versions { get; init; } = [];

    public SkillVersionSnapshot? Version(string version) => Versions.FirstOrDefault(v => v.Version == version);
}

/// <summary>One version of a skill: the name and description its <c>SKILL.md</c> gives, and its files.</summary>
public sealed record SkillVersionSnapshot
{
    /// <summary>"1", "2", …, in the order they were made.</summary>
    public required string Version { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The zip of the version's files, as checked at upload.</summary>
    public required Uri ContentAddress { get; init; }

    public long Bytes { get; init; }
}
