namespace Berth.Contracts;

/// <summary>The request's <c>shell</c> tool: where its commands run.</summary>
public sealed record ShellToolSpec
{
    /// <summary><c>container_auto</c> or <c>container_reference</c>.</summary>
    public string Environment { get; init; } = "container_auto";
    public string? ContainerId { get; init; }

    /// <summary>
    /// The network of the container: for <c>container_auto</c>, as the request asked; for
    /// <c>container_reference</c>, the container's own, filled in when the response is stored.
    /// Null is none at all.
    /// </summary>
    public NetworkPolicySpec? NetworkPolicy { get; init; }

    /// <summary><c>container_auto</c>'s <c>memory_limit</c>, in megabytes; null for the executors' default.</summary>
    public int? MemoryMb { get; init; }
}
