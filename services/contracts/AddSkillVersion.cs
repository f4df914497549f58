namespace Berth.Contracts;

/// <summary>
/// Keep a new version of a skill (its number is given here, after the latest), whose bundle the
/// api has stored; <see cref="MakeDefault"/> makes it the default. Answered with the
/// <see cref="SkillSnapshot"/> as it now is, or <see cref="SkillNotFound"/>.
/// </summary>
public sealed record AddSkillVersion(string SkillId, SkillVersionSnapshot Version)
{
    public string? Tenant { get; init; }
    public bool MakeDefault { get; init; }
}
