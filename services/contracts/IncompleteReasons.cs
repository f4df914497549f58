namespace Berth.Contracts;

/// <summary>Why a response ended <c>incomplete</c> (<c>incomplete_details.reason</c>).</summary>
public static class IncompleteReasons
{
    /// <summary>The request's <c>max_tool_calls</c> were used up.</summary>
    public const string MaxToolCalls = "max_tool_calls";

    /// <summary>The operator's <c>Planner:MaxModelCalls</c> were used up.</summary>
    public const string MaxModelCalls = "max_model_calls";
}
