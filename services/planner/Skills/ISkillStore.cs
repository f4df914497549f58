using Berth.Contracts;

namespace Berth.Planner.Skills;

/// <summary>Skills and their versions (<c>/v1/skills</c>); the bundles are in the payload store.</summary>
internal interface ISkillStore
{
    Task AddAsync(SkillSnapshot skill, CancellationToken cancellationToken);

    Task<SkillSnapshot?> FindAsync(string skillId, CancellationToken cancellationToken);

    /// <summary>The tenant's skills by creation time (then id), newest first unless <paramref name="oldestFirst"/>, after <paramref name="after"/>.</summary>
    Task<IReadOnlyList<SkillSnapshot>> ListAsync(string tenant, SkillSnapshot? after, int limit, bool oldestFirst, CancellationToken cancellationToken);

    /// <summary>Appends a version numbered after the latest; the skill as it now is, or null if there is none.</summary>
    Task<SkillSnapshot?> AddVersionAsync(string skillId, SkillVersionSnapshot version, bool makeDefault, CancellationToken cancellationToken);

    /// <summary>The skill with that version as its default; null if the skill or the version is not there.</summary>
    Task<SkillSnapshot?> SetDefaultAsync(string skillId, string version, CancellationToken cancellationToken);

    /// <summary>Removes a version that is not the default; the skill as it was, or null if nothing was removed.</summary>
    Task<SkillSnapshot?> RemoveVersionAsync(string skillId, string version, CancellationToken cancellationToken);

    /// <summary>Removes the skill; the one removed, or null.</summary>
    Task<SkillSnapshot?> RemoveAsync(string skillId, CancellationToken cancellationToken);
}
