using System.Collections.Concurrent;
using System.Globalization;
using Berth.Contracts;
using Berth.Planner.Tenants;

namespace Berth.Planner.Skills;

/// <summary>The embedded skill store: in this planner process, like the in-memory response store.</summary>
internal sealed class InMemorySkillStore : ISkillStore
{
    private readonly ConcurrentDictionary<string, SkillSnapshot> _skills = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Task AddAsync(SkillSnapshot skill, CancellationToken cancellationToken)
    {
        _skills.TryAdd(skill.Id, skill);
        return Task.CompletedTask;
    }

    public Task<SkillSnapshot?> FindAsync(string skillId, CancellationToken cancellationToken) => Task.FromResult(_skills.GetValueOrDefault(skillId));

    public Task<IReadOnlyList<SkillSnapshot>> ListAsync(string tenant, SkillSnapshot? after, int limit, bool oldestFirst, CancellationToken cancellationToken)
    {
        var skills = _skills.Values.Where(s => Tenancy.Owns(s.Tenant, tenant));
        var ordered = oldestFirst
            ? skills.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal)
            : skills.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal);
        var page = after is null ? ordered : ordered.Where(s => IsAfter(s, after, oldestFirst));
        return Task.FromResult<IReadOnlyList<SkillSnapshot>>([.. page.Take(limit)]);
    }

    public Task<SkillSnapshot?> AddVersionAsync(string skillId, SkillVersionSnapshot version, bool makeDefault, CancellationToken cancellationToken) =>
        Task.FromResult(Change(skillId, skill =>
        {
            var number = (int.Parse(skill.LatestVersion, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            return skill with
            {
                Versions = [.. skill.Versions, version with { Version = number }],
                LatestVersion = number,
                DefaultVersion = makeDefault ? number : skill.DefaultVersion,
            };
        }));

    public Task<SkillSnapshot?> SetDefaultAsync(string skillId, string version, CancellationToken cancellationToken) =>
        Task.FromResult(Change(skillId, skill => skill.Version(version) is null ? null : skill with { DefaultVersion = version }));

    public Task<SkillSnapshot?> RemoveVersionAsync(string skillId, string version, CancellationToken cancellationToken)
    {
        SkillSnapshot? before = null;
        Change(skillId, skill =>
        {
            if (skill.DefaultVersion == version || skill.Version(version) is null)
            {
                return null;
            }

            before = skill;
            return skill with { Versions = [.. skill.Versions.Where(v => v.Version != version)] };
        });
        return Task.FromResult(before);
    }

    public Task<SkillSnapshot?> RemoveAsync(string skillId, CancellationToken cancellationToken) =>
        Task.FromResult(_skills.TryRemove(skillId, out var removed) ? removed : null);

    /// <summary>Whether <paramref name="skill"/> comes after <paramref name="cursor"/> in the list's order.</summary>
    public static bool IsAfter(SkillSnapshot skill, SkillSnapshot cursor, bool oldestFirst)
    {
        var order = skill.CreatedAt != cursor.CreatedAt ? skill.CreatedAt.CompareTo(cursor.CreatedAt) : string.CompareOrdinal(skill.Id, cursor.Id);
        return oldestFirst ? order > 0 : order < 0;
    }

    private SkillSnapshot? Change(string skillId, Func<SkillSnapshot, SkillSnapshot?> change)
    {
        lock (_gate)
        {
            if (!_skills.TryGetValue(skillId, out var skill) || change(skill) is not { } changed)
            {
                return null;
            }

            _skills[skillId] = changed;
            return changed;
        }
    }
}
