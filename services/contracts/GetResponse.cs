namespace Berth.Contracts;

/// <summary>Request for the stored state of a response. Answered with <see cref="ResponseSnapshot"/> or <see cref="ResponseNotFound"/>.</summary>
public sealed record GetResponse(string ResponseId);
