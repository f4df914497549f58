namespace Berth.Contracts;

/// <summary>Request for the stored state of a response. Answered with <see cref="ResponseSnapshot"/> or <see cref="ResponseNotFound"/>.</summary>
public sealed record GetResponse(string ResponseId)
{
    /// <summary>The tenant asking, from its API key. A record of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }

    /// <summary>
    /// Set by the api instance that delivers a response to the request that made it, which may
    /// read it even when it was made with <c>store: false</c>; a client's own read leaves it
    /// false, and such a response is answered as not found.
    /// </summary>
    public bool IncludeUnstored { get; init; }
}
