namespace Berth.Contracts;

/// <summary>Keep a new skill with its first version (<c>"1"</c>), whose bundle the api has stored. Answered with the <see cref="SkillSnapshot"/>.</summary>
public sealed record CreateSkill(SkillSnapshot Skill);
