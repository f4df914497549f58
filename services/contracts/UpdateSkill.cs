namespace Berth.Contracts;

/// <summary>Make one of a skill's versions its default. Answered with the <see cref="SkillSnapshot"/>, or <see cref="SkillNotFound"/> (naming the version when it is that which is missing).</summary>
public sealed record UpdateSkill(string SkillId, string DefaultVersion)
{
    public string? Tenant { get; init; }
}
