namespace Berth.Contracts;

/// <summary>
/// Deletes a finished response with its items and events. Answered with <see cref="ResponseDeleted"/>;
/// <see cref="ResponseNotFound"/>; or, for a response still queued or running, its
/// <see cref="ResponseSnapshot"/>, unchanged, since its session still writes to it.
/// </summary>
public sealed record DeleteResponse(string ResponseId)
{
    /// <summary>The tenant asking, from its API key. A response of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }
}
