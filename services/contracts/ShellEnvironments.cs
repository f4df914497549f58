namespace Berth.Contracts;

/// <summary>The shell tool's <c>environment.type</c> values, as OpenAI names them.</summary>
public static class ShellEnvironments
{
    /// <summary>The session's own container, made on its first call.</summary>
    public const string Auto = "container_auto";

    /// <summary>A container made beforehand by <c>POST /v1/containers</c>.</summary>
    public const string Reference = "container_reference";
}
