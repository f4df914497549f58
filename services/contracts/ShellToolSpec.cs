namespace Berth.Contracts;

/// <summary>The request's <c>shell</c> tool: where its commands run.</summary>
public sealed record ShellToolSpec
{
    /// <summary><c>container_auto</c> or <c>container_reference</c>.</summary>
    public string Environment { get; init; } = ShellEnvironments.Auto;
    public string? ContainerId { get; init; }

    /// <summary>
    /// The network of the container: for <c>container_auto</c>, as the request asked; for
    /// <c>container_reference</c>, the container's own, filled in when the response is stored.
    /// Null is none at all.
    /// </summary>
    public NetworkPolicySpec? NetworkPolicy { get; init; }

    /// <summary><c>container_auto</c>'s <c>memory_limit</c>, in megabytes; null for the executors' default.</summary>
    public int? MemoryMb { get; init; }

    /// <summary><c>container_auto</c>'s <c>image</c> (a Berth extension): the operator's name for a sandbox image; null for the default.</summary>
    public string? Image { get; init; }

    /// <summary>The workspace archive its container starts with: a fork's parent's files, taken when the fork was submitted, or a named container's kept workspace.</summary>
    public Uri? RestoreFrom { get; init; }

    /// <summary>The skills archived with <see cref="RestoreFrom"/>, when there are any: the container gets them from here, not from <see cref="Skills"/>' bundles.</summary>
    public Uri? RestoreSkillsFrom { get; init; }

    /// <summary>The snapshot <see cref="RestoreFrom"/> is the archive of, when it is one: a named container's kept workspace.</summary>
    public string? RestoredFrom { get; init; }

    /// <summary>
    /// The idle limit, in minutes, of a container of <c>POST /v1/containers</c> made again from its
    /// kept workspace (the container's own <c>expires_after</c>); null for the executors' default.
    /// </summary>
    public int? IdleMinutes { get; init; }

    /// <summary><c>container_auto</c>'s <c>file_ids</c>, as the request named them.</summary>
    public IReadOnlyList<string> FileIds { get; init; } = [];

    /// <summary>Those files, found by the api: what the session's container is made with.</summary>
    public IReadOnlyList<ContainerFileSeed> Files { get; init; } = [];

    /// <summary><c>container_auto</c>'s <c>skills</c>, found by the api: unpacked in the session's container when it is made.</summary>
    public IReadOnlyList<ContainerSkillSeed> Skills { get; init; } = [];

    /// <summary><c>require_approval</c>: one of <see cref="ApprovalModes"/>.</summary>
    public string RequireApproval { get; init; } = ApprovalModes.Never;

    /// <summary>For <see cref="ApprovalModes.Patterns"/>: the regular expressions a command is matched against.</summary>
    public IReadOnlyList<string> ApprovalPatterns { get; init; } = [];

    // By value, files and skills included: a list compares by reference otherwise.
    public bool Equals(ShellToolSpec? other) =>
        other is not null && Environment == other.Environment && ContainerId == other.ContainerId && Equals(NetworkPolicy, other.NetworkPolicy)
        && MemoryMb == other.MemoryMb && Image == other.Image && RestoreFrom == other.RestoreFrom && RestoreSkillsFrom == other.RestoreSkillsFrom && RestoredFrom == other.RestoredFrom && IdleMinutes == other.IdleMinutes
        && FileIds.SequenceEqual(other.FileIds) && Files.SequenceEqual(other.Files) && Skills.SequenceEqual(other.Skills)
        && RequireApproval == other.RequireApproval && ApprovalPatterns.SequenceEqual(other.ApprovalPatterns);

    public override int GetHashCode() => HashCode.Combine(Environment, ContainerId, NetworkPolicy, MemoryMb, FileIds.Count, Files.Count, Skills.Count);
}
