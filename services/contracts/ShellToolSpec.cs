namespace Berth.Contracts;

/// <summary>The request's <c>shell</c> tool: where its commands run.</summary>
public sealed record ShellToolSpec
{
    /// <summary><c>container_auto</c> or <c>container_reference</c>.</summary>
    public string Environment { get; init; } = "container_auto";
    public string? ContainerId { get; init; }

    /// <summary>For <c>container_auto</c>: the network its container gets; null is none at all.</summary>
    public NetworkPolicySpec? NetworkPolicy { get; init; }
}
