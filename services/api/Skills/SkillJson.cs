using System.Text.Json;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Skills;

/// <summary>Skills and their versions in the shapes of OpenAI's <c>Skill</c> and <c>SkillVersion</c>.</summary>
public static class SkillJson
{
    public static void Write(Utf8JsonWriter writer, SkillSnapshot skill)
    {
        var shown = skill.Version(skill.DefaultVersion) ?? skill.Versions[^1];
        writer.WriteStartObject();
        writer.WriteString("id", skill.Id);
        writer.WriteString("object", "skill");
        writer.WriteNumber("created_at", skill.CreatedAt.ToUnixTimeSeconds());
        writer.WriteString("default_version", skill.DefaultVersion);
        writer.WriteString("description", shown.Description);
        writer.WriteString("latest_version", skill.LatestVersion);
        writer.WriteString("name", shown.Name);
        writer.WriteEndObject();
    }

    /// <summary>A version's id: the skill's hex, and its number.</summary>
    public static string VersionId(string skillId, string version) => $"skillver_{skillId["skill_".Length..]}_{version}";

    public static void WriteVersion(Utf8JsonWriter writer, string skillId, SkillVersionSnapshot version)
    {
        writer.WriteStartObject();
        writer.WriteString("id", VersionId(skillId, version.Version));
        writer.WriteString("object", "skill.version");
        writer.WriteNumber("created_at", version.CreatedAt.ToUnixTimeSeconds());
        writer.WriteString("description", version.Description);
        writer.WriteString("name", version.Name);
        writer.WriteString("skill_id", skillId);
        writer.WriteString("version", version.Version);
        writer.WriteEndObject();
    }

    public static byte[] Serialize(SkillSnapshot skill) => JsonBytes.Write(writer => Write(writer, skill));

    public static byte[] SerializeVersion(string skillId, SkillVersionSnapshot version) => JsonBytes.Write(writer => WriteVersion(writer, skillId, version));

    public static byte[] SerializeDeleted(string skillId) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", skillId);
        writer.WriteString("object", "skill.deleted");
        writer.WriteBoolean("deleted", true);
        writer.WriteEndObject();
    });

    public static byte[] SerializeVersionDeleted(string skillId, string version) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", VersionId(skillId, version));
        writer.WriteString("object", "skill.version.deleted");
        writer.WriteBoolean("deleted", true);
        writer.WriteString("version", version);
        writer.WriteEndObject();
    });
}
