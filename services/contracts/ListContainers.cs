namespace Berth.Contracts;

/// <summary>Request for the containers, newest first. Answered with <see cref="ContainerList"/>.</summary>
public sealed record ListContainers(int Limit)
{
    /// <summary>The tenant asking, from its API key: only its own are listed.</summary>
    public string? Tenant { get; init; }
}
