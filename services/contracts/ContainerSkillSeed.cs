namespace Berth.Contracts;

/// <summary>
/// A skill a session's container is made with (<c>container_auto</c>'s <c>skills</c>): its
/// files (one zip, in the payload store) are unpacked read-only at <c>/mnt/skills/&lt;Name&gt;</c>,
/// and the model is told its name, description and path.
/// </summary>
public sealed record ContainerSkillSeed(string Name, string Description, Uri ContentAddress)
{
    /// <summary>Where the skill's files are in the container.</summary>
    public string Path => $"{SkillsDirectory}/{Name}";

    public const string SkillsDirectory = "/mnt/skills";
}
