using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Api.Errors;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Skills;

/// <summary>
/// A skill <c>container_auto</c> asks for: one of the tenant's (<c>skill_reference</c>, a version
/// or its default) or a zip sent along (<c>inline</c>), found or checked by <see cref="SkillSeeds"/>.
/// </summary>
internal sealed record AskedSkill(string Param)
{
    public string? SkillId { get; init; }

    /// <summary>A version's number, <c>latest</c>, or null for the default.</summary>
    public string? Version { get; init; }

    public string? Name { get; init; }
    public string? Description { get; init; }
    public byte[]? Zip { get; init; }
}

/// <summary>Reads <c>container_auto</c>'s <c>skills</c> in OpenAI's shapes.</summary>
internal static partial class AskedSkills
{
    /// <summary>Skills one container may be made with.</summary>
    public const int MaxSkills = 20;

    /// <param name="parentPath">Where the object holding <c>skills</c> is in the request (<c>tools[0].environment</c>); null for the body itself.</param>
    public static IReadOnlyList<AskedSkill> Parse(JsonElement parent, string? parentPath)
    {
        var path = parentPath is null ? "skills" : $"{parentPath}.skills";
        if (Optional(parent, "skills") is not { ValueKind: not JsonValueKind.Null } given)
        {
            return [];
        }

        if (given.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for '{path}': expected an array of skills, but got {Describe(given)} instead.", path, RequestErrorCodes.InvalidType);
        }

        if (given.GetArrayLength() > MaxSkills)
        {
            throw Invalid($"Invalid '{path}': at most {MaxSkills} skills.", path, RequestErrorCodes.InvalidValue);
        }

        var asked = new List<AskedSkill>();
        var index = 0;
        foreach (var skill in given.EnumerateArray())
        {
            var at = $"{path}[{index++}]";
            if (skill.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for '{at}': expected an object, but got {Describe(skill)} instead.", at, RequestErrorCodes.InvalidType);
            }

            asked.Add(RequiredString(skill, "type", at) switch
            {
                "skill_reference" => Reference(skill, at),
                "inline" => Inline(skill, at),
                var other => throw Invalid($"Invalid value for '{at}.type': '{Shortened(other)}'. Supported values are: 'skill_reference' and 'inline'.", $"{at}.type", RequestErrorCodes.InvalidValue),
            });
        }

        return asked;
    }

    private static AskedSkill Reference(JsonElement skill, string at)
    {
        Only(skill, at, "type", "skill_id", "version");
        var id = RequiredString(skill, "skill_id", at);
        if (!IdFormat.IsSkillId(id))
        {
            throw Invalid($"Invalid '{at}.skill_id': '{Shortened(id)}'. Expected a skill id ({IdFormat.SkillIdShape}).", $"{at}.skill_id", RequestErrorCodes.InvalidValue);
        }

        var version = OptionalString(skill, "version", at);
        return version is null or "latest" || IdFormat.IsSkillVersion(version)
            ? new AskedSkill(at) { SkillId = id, Version = version }
            : throw Invalid($"Invalid '{at}.version': '{Shortened(version)}'. Give a version's number, or 'latest'; leave it out for the default.", $"{at}.version", RequestErrorCodes.InvalidValue);
    }

    private static AskedSkill Inline(JsonElement skill, string at)
    {
        Only(skill, at, "type", "name", "description", "source");
        var name = RequiredString(skill, "name", at);
        if (!SkillName().IsMatch(name))
        {
            throw Invalid($"Invalid '{at}.name': lowercase letters, digits and hyphens, at most 64.", $"{at}.name", RequestErrorCodes.InvalidValue);
        }

        var description = RequiredString(skill, "description", at);
        if (description.Length > SkillBundle.MaxDescriptionLength || description.Any(char.IsControl))
        {
            throw Invalid($"Invalid '{at}.description': at most {SkillBundle.MaxDescriptionLength} characters on one line.", $"{at}.description", RequestErrorCodes.InvalidValue);
        }

        var source = Optional(skill, "source") is { ValueKind: JsonValueKind.Object } given
            ? given
            : throw Invalid($"Missing required parameter: '{at}.source'.", $"{at}.source", RequestErrorCodes.MissingRequiredParameter);
        if (OptionalString(source, "type", $"{at}.source") != "base64" || OptionalString(source, "media_type", $"{at}.source") != "application/zip")
        {
            throw Invalid($"Invalid '{at}.source': Berth takes a skill inline as {{\"type\": \"base64\", \"media_type\": \"application/zip\", \"data\"}}.", $"{at}.source", RequestErrorCodes.InvalidValue);
        }

        var data = RequiredString(source, "data", $"{at}.source");
        var zip = new byte[data.Length / 4 * 3 + 3];
        return Convert.TryFromBase64String(data, zip, out var length)
            ? new AskedSkill(at) { Name = name, Description = description, Zip = zip[..length] }
            : throw Invalid($"Invalid '{at}.source.data': expected a zip in base64.", $"{at}.source.data", RequestErrorCodes.InvalidValue);
    }

    private static void Only(JsonElement skill, string at, params string[] known)
    {
        foreach (var property in skill.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            throw Invalid($"Unknown parameter: '{at}.{Shortened(property.Name)}'.", $"{at}.{Shortened(property.Name)}", RequestErrorCodes.UnknownParameter);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex SkillName();
}
