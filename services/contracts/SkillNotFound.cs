namespace Berth.Contracts;

/// <summary>No such skill for the tenant; or, with <see cref="Version"/>, no such version of it (or, for a delete, the default one, which stays).</summary>
public sealed record SkillNotFound(string SkillId)
{
    public string? Version { get; init; }

    /// <summary>Why, when the skill is there but the request cannot be done to it.</summary>
    public string? Problem { get; init; }
}
