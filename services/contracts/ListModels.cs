namespace Berth.Contracts;

/// <summary>Request for the models the tenant may ask for. Answered with <see cref="ModelList"/>.</summary>
public sealed record ListModels
{
    /// <summary>The tenant asking, from its API key: with a catalog, the tenant's own list narrows it.</summary>
    public string? Tenant { get; init; }
}
