namespace Berth.Contracts;

/// <summary>
/// Request for one page of the tenant's containers, newest first unless <see cref="OldestFirst"/>;
/// at most <see cref="Limit"/> of them. Answered with <see cref="ContainerList"/>.
/// </summary>
public sealed record ListContainers(int Limit)
{
    /// <summary>The page starts after this container, in the order asked for; null starts at the first.</summary>
    public string? After { get; init; }

    public bool OldestFirst { get; init; }

    /// <summary>The tenant asking, from its API key: only its own are listed.</summary>
    public string? Tenant { get; init; }
}
