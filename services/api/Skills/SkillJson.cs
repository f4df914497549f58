using System.Text.Json;
using Berth.Api.Wire;
using Berth.Contracts;

namespace Berth.Api.Skills;

/// <summary>Skills and their versions as the api answers with them.</summary>
internal static class SkillJson
{
    /// <summary>A version's id: the skill's hex, and its number.</summary>
    public static string VersionId(string skillId, string version) => $"skillver_{skillId["skill_".Length..]}_{version}";

    public static byte[] Serialize(SkillSnapshot skill) => JsonSerializer.SerializeToUtf8Bytes(SkillObject.From(skill), ApiJsonContext.Default.SkillObject);

    public static byte[] SerializeList(IReadOnlyList<SkillSnapshot> page, bool hasMore) =>
        JsonSerializer.SerializeToUtf8Bytes(ListPage.Of([.. page.Select(SkillObject.From)], hasMore, s => s.Id), ApiJsonContext.Default.ListPageSkillObject);

    public static byte[] SerializeVersion(string skillId, SkillVersionSnapshot version) =>
        JsonSerializer.SerializeToUtf8Bytes(SkillVersionObject.From(skillId, version), ApiJsonContext.Default.SkillVersionObject);

    public static byte[] SerializeVersionList(string skillId, IReadOnlyList<SkillVersionSnapshot> page, bool hasMore) =>
        JsonSerializer.SerializeToUtf8Bytes(ListPage.Of([.. page.Select(v => SkillVersionObject.From(skillId, v))], hasMore, v => v.Id),
            ApiJsonContext.Default.ListPageSkillVersionObject);

    public static byte[] SerializeDeleted(string skillId) =>
        JsonSerializer.SerializeToUtf8Bytes(new DeletedObject(skillId, "skill.deleted"), ApiJsonContext.Default.DeletedObject);

    public static byte[] SerializeVersionDeleted(string skillId, string version) =>
        JsonSerializer.SerializeToUtf8Bytes(new DeletedObject(VersionId(skillId, version), "skill.version.deleted") { Version = version }, ApiJsonContext.Default.DeletedObject);
}
