namespace Berth.Contracts;

/// <summary>
/// A response's input items in the order given, each with its id. Whole, not paged: the input
/// came in one <see cref="TaskSubmitted"/>, so it fits in one reply.
/// </summary>
public sealed record ResponseInput(string ResponseId, IReadOnlyList<InputMessage> Items);
