namespace Berth.Contracts;

/// <summary>
/// Request for a response's stored stream events after a sequence number (-1 for all), at most
/// <see cref="Limit"/> of them. Answered with <see cref="ResponseEventList"/> or <see cref="ResponseNotFound"/>.
/// </summary>
public sealed record GetResponseEvents
{
    public required string ResponseId { get; init; }
    public int After { get; init; } = -1;
    public int Limit { get; init; } = 500;

    /// <summary>The tenant asking, from its API key. Another tenant's response is answered as not found.</summary>
    public string? Tenant { get; init; }

    /// <summary>As <see cref="GetResponse.IncludeUnstored"/>: set for the stream of the request that made the response.</summary>
    public bool IncludeUnstored { get; init; }
}
