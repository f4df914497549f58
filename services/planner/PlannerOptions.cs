using System.ComponentModel.DataAnnotations;

namespace Berth.Planner;

/// <summary>Limits of the agent loop. Section <c>Planner</c>.</summary>
public sealed class PlannerOptions
{
    public const string Section = "Planner";

    /// <summary>Model calls one response may make before it ends <c>incomplete</c>, whatever <c>max_tool_calls</c> says.</summary>
    [Range(1, 1000)]
    public int MaxModelCalls { get; set; } = 50;
}
