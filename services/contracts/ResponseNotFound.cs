namespace Berth.Contracts;

public sealed record ResponseNotFound(string ResponseId);
