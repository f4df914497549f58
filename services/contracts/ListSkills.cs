namespace Berth.Contracts;

/// <summary>A page of the tenant's skills, by creation time. Answered with <see cref="SkillList"/>.</summary>
public sealed record ListSkills
{
    public string? Tenant { get; init; }
    public int Limit { get; init; } = 20;

    /// <summary>The page starts after this skill; one not found gives an empty page.</summary>
    public string? After { get; init; }

    public bool OldestFirst { get; init; }
}

public sealed record SkillList(IReadOnlyList<SkillSnapshot> Skills, bool HasMore);
