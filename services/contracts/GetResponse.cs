namespace Berth.Contracts;

/// <summary>Request for the stored state of a response. Answered with <see cref="ResponseSnapshot"/> or <see cref="ResponseNotFound"/>.</summary>
public sealed record GetResponse(string ResponseId)
{
    /// <summary>The tenant asking, from its API key. A record of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }
}
