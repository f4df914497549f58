namespace Berth.Contracts;

/// <summary>The request's <c>shell</c> tool: where its commands run.</summary>
public sealed record ShellToolSpec
{
    /// <summary><c>container_auto</c> or <c>container_reference</c>.</summary>
    public string Environment { get; init; } = "container_auto";
    public string? ContainerId { get; init; }
}
