namespace Berth.Contracts;

/// <summary><c>POST /v1/responses/{id}/cancel</c>. Answered with <see cref="ResponseSnapshot"/> or <see cref="ResponseNotFound"/>.</summary>
public sealed record CancelResponse(string ResponseId)
{
    /// <summary>The tenant asking, from its API key. A record of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }
}
