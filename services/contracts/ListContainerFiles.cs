namespace Berth.Contracts;

/// <summary>
/// One page of the files under <c>/mnt/data</c> of a session's container, newest first unless
/// <see cref="OldestFirst"/>, at most <see cref="Limit"/> of them. Answered with
/// <see cref="ContainerFileList"/> or <see cref="ContainerFileFailed"/>.
/// </summary>
public sealed record ListContainerFiles(Guid SessionId)
{
    public const int MaxLimit = 1000;

    /// <summary>At most this many files, up to <see cref="MaxLimit"/>: a workspace may hold far more than one message can.</summary>
    public int Limit { get; init; } = MaxLimit;

    /// <summary>The page starts after the file with this path, in the order asked for; null starts at the first.</summary>
    public string? After { get; init; }

    public bool OldestFirst { get; init; }
}
