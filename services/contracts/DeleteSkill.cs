namespace Berth.Contracts;

/// <summary>
/// Delete a skill with all its versions and their bundles; or, with <see cref="Version"/>, that
/// version only (not the default). Answered with the <see cref="SkillSnapshot"/> as it was, or
/// <see cref="SkillNotFound"/>.
/// </summary>
public sealed record DeleteSkill(string SkillId)
{
    public string? Tenant { get; init; }
    public string? Version { get; init; }
}
