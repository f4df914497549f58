namespace Berth.Contracts;

/// <summary>
/// <c>POST /v1/responses/{id}/cancel</c>. Answered at once with <see cref="ResponseSnapshot"/>
/// or <see cref="ResponseNotFound"/>: the planner asks the response's session to cancel it and
/// does not wait; the api waits for the response to finish, and asks again with
/// <see cref="EndNow"/> if the session has not ended it in time.
/// </summary>
public sealed record CancelResponse(string ResponseId)
{
    /// <summary>The tenant asking, from its API key. A record of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }

    /// <summary>The session did not end the response in time (every step slot busy, or its saga stuck): end it <c>cancelled</c> now, in the store.</summary>
    public bool EndNow { get; init; }
}
