namespace Berth.Contracts;

/// <summary>Request for one skill. Answered with <see cref="SkillSnapshot"/> or <see cref="SkillNotFound"/>.</summary>
public sealed record GetSkill(string SkillId)
{
    /// <summary>The tenant asking, from its API key. Another tenant's skill is answered as not found.</summary>
    public string? Tenant { get; init; }
}
