namespace Berth.Contracts;

/// <summary>Remove a session's container now. Sent to the executor that holds it.</summary>
public sealed record RemoveContainer(Guid SessionId);
