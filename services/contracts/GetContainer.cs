namespace Berth.Contracts;

/// <summary>Request for one container. Answered with <see cref="ContainerSnapshot"/> or <see cref="ContainerNotFound"/>.</summary>
public sealed record GetContainer(string ContainerId)
{
    /// <summary>The tenant asking, from its API key. A record of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }
}
