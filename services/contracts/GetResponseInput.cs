namespace Berth.Contracts;

/// <summary>Request for the items a response was given as input. Answered with <see cref="ResponseInput"/> or <see cref="ResponseNotFound"/>.</summary>
public sealed record GetResponseInput(string ResponseId)
{
    /// <summary>The tenant asking, from its API key. A response of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }
}
